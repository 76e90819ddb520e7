/**
 * A real app worker process for the email crash test, booted as production boots it on the given env
 * (a database file shared with the test), running every job until it is killed.
 */
import { parseEnv } from '../../server/env.js';
import { createModules, moduleList } from '../../server/modules.js';
import { createPlatform } from '../../server/platform.js';
import { startRuntime } from '../../server/runtime.js';

const [envJson, leaseMs] = process.argv.slice(2);
const p = createPlatform(parseEnv(JSON.parse(envJson!)), { queueLeaseMs: Number(leaseMs), workerPollMs: 20 });
const runtime = startRuntime(p, moduleList(createModules(p)), { worker: true });
process.stdout.write('READY\n');
process.on('SIGTERM', () => void runtime.stop(2000).then(() => process.exit(0)));
