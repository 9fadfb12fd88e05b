/**
 * The one primitive every reader of kernel files stands on: a file kept open and re-read from
 * offset 0 into a reused buffer ({@link dev.headroom.internal.kernfs.KernelFile},
 * {@link dev.headroom.internal.kernfs.ReadBuffer}), numbers parsed straight from its bytes
 * ({@link dev.headroom.internal.kernfs.ByteParsing}), key/value lines walked in place
 * ({@link dev.headroom.internal.kernfs.KeyValueScanner}) and, where every key is wanted, kept in a
 * table that interns them once ({@link dev.headroom.internal.kernfs.KeyValueTable}); the errors
 * readings carry kept within bounds ({@link dev.headroom.internal.kernfs.ErrorLines}). Opening never
 * blocks (non-regular files are refused) and every read is bounded. The bottom layer of core: it
 * imports nothing of Headroom.
 */
package dev.headroom.internal.kernfs;
