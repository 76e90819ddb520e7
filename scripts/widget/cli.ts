import { WidgetBuildError } from './build.js';
import { WidgetValidationError } from './validate.js';

/** Run a build step from the command line: a clear message and exit code 1 on a known failure. */
export async function runCli(step: () => Promise<string>) {
  try {
    process.stdout.write(`${await step()}\n`);
  } catch (err) {
    if (err instanceof WidgetValidationError || err instanceof WidgetBuildError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
