/**
 * V8 flags the CLI runs under (its shebang: `#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --single-threaded
 * --max-semi-space-size=1 --expose-gc`).
 * `--single-threaded`: V8 compiles and collects on the main thread instead of handing work to helper
 * threads. The work is one thread's loop either way (the network and the disk wait in libuv, which this
 * flag leaves alone), and the helpers' hand-offs cost CPU of their own: A/B on 2026-12-03, 6 interleaved
 * pairs each, user + system CPU 0.925 of the default for `process` of an ALL day, 0.967 for its download,
 * 0.960 with gzip, 0.924 for 3 days, at the same wall time; peak RSS within 1-3 MB.
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
export const CLI_NODE_FLAGS = ['--single-threaded', '--max-semi-space-size=1', '--expose-gc'] as const;

/**
 * The environment the CLI runs under (the shebang sets it; whatever starts the CLI another way passes it
 * too). MALLOC_ARENA_MAX=1: glibc gives each thread that allocates (libuv's pool for file I/O, V8's
 * helpers) an arena of its own, whose pages stay resident and fragment, so peak RSS wandered with the
 * timing of those threads. Measured 2026-12-03, 3 ALL days in one run, 6 runs each: 87-93 MB (median 90)
 * with one arena against 94-108 MB (median 96) with glibc's default, at the same CPU; one day: 87-89
 * against 90-92 MB. glibc reads it only as the process starts, so it cannot be set from JavaScript.
 */
export const CLI_NODE_ENV = { MALLOC_ARENA_MAX: '1' } as const;
