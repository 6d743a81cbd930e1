/**
 * V8 flags the CLI runs under (its shebang: `#!/usr/bin/env -S node --max-semi-space-size=1 --expose-gc`).
 * Pages stream through in pieces that die young, and every piece a gzip body inflates to is a 64 KB buffer
 * outside the heap that only a collection frees. The transcoder allocates little on the heap, so
 * collections are rare: with 4 MB semi-spaces, ~40 MB of dead buffers piled up between them; 1 MB
 * semi-spaces collect them sooner: an ALL day download peaked at 95-107 MB RSS instead of 114-130, at the
 * same CPU within the noise (measured 2026-12-03, when plain bodies still came in such buffers too).
 * Readers hand out batches small enough to die young under them (DEFAULT_BATCH in formats/reader.ts).
 * `--expose-gc` lets the download ask for a young-generation collection every few MB inflated
 * (udl/young-gc.ts), so that freeing those buffers does not depend on how much else happens to be
 * allocated. Whatever starts the CLI or the client another way (demo, bench) passes these.
 */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=1', '--expose-gc'] as const;
