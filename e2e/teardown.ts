import { rmSync } from 'node:fs';

/** Remove the runtime's data directory the config made for this test session. */
export default function teardown(): void {
  const dir = process.env.REELFLOW_E2E_DATA;
  if (dir && dir.includes('reelflow-e2e-')) rmSync(dir, { recursive: true, force: true });
}
