#!/usr/bin/env node
// The `keyway` command. Runs the built CLI (npm run build first).
import { main } from '../dist/core/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
