import { z } from 'zod';
import type { NodeTypeDef } from '@reelflow/fbp-model';

const params = z.strictObject({});
export type SourceParams = z.infer<typeof params>;

/**
 * The run's input video. It runs nothing: the runtime puts the upload (or the path given at run
 * time) into the run directory and emits the one video token itself.
 */
export const source: NodeTypeDef<SourceParams> = {
  type: 'source',
  title: 'Source',
  description: 'The input video of a run: an upload, or a path given at run time.',
  ports: [
    {
      name: 'out',
      direction: 'out',
      dataType: 'video',
      multiplicity: 'one',
      description: 'The input video.',
    },
  ],
  params,
  firing: 'source',
  compile: () => [],
  estimateSeconds: () => 0,
  cores: () => 0,
};
