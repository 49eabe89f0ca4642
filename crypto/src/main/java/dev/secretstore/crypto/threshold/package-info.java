/**
 * Threshold mathematics of crypto.md §10 and the verification steps of §11: polynomials and
 * commitments, id numbers, the Lagrange convention, verified DKG, document-key encryption,
 * (shadow) decryption with DLEQ proofs, Schnorr and ECDSA threshold signatures and share
 * redistribution.
 *
 * <p>Pure functions over immutable values; no I/O and no session state. The node protocol calls a
 * <em>dealer/node</em> function to produce a value and the matching <em>receiver/master</em>
 * function to check it. Every function that consumes a value produced by another node validates it
 * and, on failure, throws {@link dev.secretstore.crypto.CryptoException} with reason
 * {@code VERIFICATION_FAILED} or {@code INVALID_ARGUMENT} whose message starts with
 * {@code "node <id hex>: "} naming the culprit (identifiable abort, crypto.md §11.3).
 *
 * <p>Node ids are the nodes' 64-byte public keys ({@link dev.secretstore.crypto.PublicPoint}),
 * ordered by unsigned lexicographic order of the encoding ({@link NodeIds#ORDER}).
 *
 * <p>Arithmetic on secrets (shares, polynomial coefficients, nonces, δ, d, the access key) uses
 * {@link dev.secretstore.crypto.SecretScalar} (constant time, SEC-06); arithmetic on public values
 * (id numbers, Lagrange coefficients, challenges, commitment checks) uses
 * {@link dev.secretstore.crypto.Scalar} and {@link dev.secretstore.crypto.PointSum} (variable time).
 */
package dev.secretstore.crypto.threshold;
