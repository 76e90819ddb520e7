/**
 * A real app worker process for the email crash test: the production createDeps on the given env
 * (a database file shared with the test), running every job until it is killed.
 */
import { createDeps } from '../../server/deps.js';
import { parseEnv } from '../../server/env.js';

const [envJson, leaseMs] = process.argv.slice(2);
const deps = createDeps(parseEnv(JSON.parse(envJson!)), { queueLeaseMs: Number(leaseMs), workerPollMs: 20 });
deps.worker.start();
process.stdout.write('READY\n');
process.on('SIGTERM', () => void deps.worker.stop(2000).then(() => process.exit(0)));
