#!/usr/bin/env node
// The `keyway` command. Runs the built CLI (npm run build first).
import { main } from '../dist/core/cli/main.js';

// process.exit() drops output still queued for a pipe (a slow reader of `keyway ssh host cat`):
// exit once everything written to stdout and stderr has gone out.
function exit(code) {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(exit, (e) => {
  console.error(e);
  exit(1);
});
