import { z } from 'zod';
import type { CompileContext, NodeTypeDef, TaskSpec } from '@reelflow/fbp-model';
import { onlyInput, task, taskParams } from '../../common.js';
import { locate, outputDir, viaOf } from '../../paths.js';

const params = z.strictObject({
  countFrames: z
    .boolean()
    .default(false)
    .describe('Decode the video to count its frames exactly (slow: as long as a decode).'),
  ...taskParams({ cpus: 1, memoryMb: 256 }),
});
export type ProbeParams = z.infer<typeof params>;

/** The report a probe node publishes, relative to the run directory. */
export const probeReport = (nodeId: string): string => `${outputDir(nodeId)}/probe.json`;

function compile(ctx: CompileContext<ProbeParams>): TaskSpec[] {
  const input = onlyInput(ctx);
  const via = viaOf(input);
  const report = probeReport(ctx.node.id);
  // prettier-ignore
  const argv = [
    'ffprobe', '-hide_banner', '-v', 'error',
    ...(ctx.params.countFrames ? ['-count_frames'] : []),
    '-show_format', '-show_streams', '-of', 'json',
    // Over HTTP ffprobe uploads the report with POST, which the runtime's file routes accept.
    '-o', locate(ctx.storage, report, via),
    locate(ctx.storage, input.path, via),
  ];
  return [task(ctx, { argv, outputs: [{ kind: 'file', path: report, dataType: 'video' }] })];
}

/** Writes ffprobe's JSON report (format and streams) of a video into the run's outputs. */
export const probe: NodeTypeDef<ProbeParams> = {
  type: 'probe',
  title: 'Probe',
  description: 'Reports the format and streams of a video (ffprobe JSON) as a run output.',
  ports: [{ name: 'in', direction: 'in', dataType: 'video', multiplicity: 'one', required: true }],
  params,
  firing: 'sink',
  compile,
  estimateSeconds: (p, media, calibration) =>
    calibration.taskOverheadSeconds +
    (p.countFrames ? media.durationSeconds * calibration.copySecondsPerSecond * 5 : 0),
  cores: () => 1,
};
