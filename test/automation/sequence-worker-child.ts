/**
 * A real app worker process for the sequence crash test, booted as production boots it on the given env (a
 * database file shared with the test), with its clock `offsetMs` ahead of real time, as the test's is.
 */
import { parseEnv } from '../../server/env.js';
import { createModules, moduleList } from '../../server/modules.js';
import { createPlatform } from '../../server/platform.js';
import { startRuntime } from '../../server/runtime.js';

const [envJson, leaseMs, offsetMs] = process.argv.slice(2);
const offset = Number(offsetMs);
const p = createPlatform(parseEnv(JSON.parse(envJson!)), { queueLeaseMs: Number(leaseMs), workerPollMs: 20, clock: { now: () => Date.now() + offset } });
const runtime = startRuntime(p, moduleList(createModules(p)), { worker: true });
process.stdout.write('READY\n');
process.on('SIGTERM', () => void runtime.stop(2000).then(() => process.exit(0)));
