/**
 * V8 flags the CLI runs under (its shebang: `#!/usr/bin/env -S node --max-semi-space-size=4`). Pages stream
 * through in small pieces that die young; a young generation capped at 4 MB semi-spaces collects them
 * before they spread over more memory, which keeps an ALL day near 96 MB RSS instead of ~140 MB at no
 * measurable CPU cost (measured: 4.6-4.7 CPU s either way). Whatever starts the CLI or the client
 * another way (demo, bench) passes these.
 */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=4'] as const;
