/*
 * cairn/merkle.h — binary Merkle trees over SHA-256 digests: build, root,
 * single-leaf paths, multi-leaf openings with shared siblings merged, and
 * the byte encoding of a multi-opening (untrusted input in proofs).
 *
 * Hashing (docs/hashing.md has the byte-exact rules):
 *   leaf digest  = SHA-256(0x00 || data)            cairn_merkle_leaf_hash
 *   inner node   = SHA-256(0x01 || left || right)    cairn_merkle_node_hash
 * The tree takes leaf digests as given (the caller hashes its leaves, e.g.
 * one running hash per codeword column started by cairn_merkle_leaf_init).
 * A tree over n >= 1 leaves has height h = ceil(log2 n) and width W = 2^h;
 * leaves n .. W-1 are padding, the all-zero digest, and can never be opened.
 * The verifier always knows n, so it always hashes exactly h levels: a leaf
 * cannot pose as an inner node, and the 0x00/0x01 prefixes separate the two
 * kinds of hash input besides.
 *
 * Indices are leaf positions 0 .. n-1.  Openings accept indices in any order
 * and with repetitions: they are sorted and duplicates merged (a verifier
 * given the same index twice with different leaf digests rejects).
 *
 * Capped trees.  A tree may be held without its bottom levels: with cap
 * L (0 <= L <= h) only the levels L .. h are kept, 2 (W >> L) - 1 digests,
 * built from the roots of the bottom subtrees (subtree a: the 2^L leaf
 * slots [a 2^L, (a+1) 2^L), padding included) that the caller computed as
 * its leaves became known, so that neither the leaf digests nor the full
 * tree ever exist.  Its root is the full tree's.  A multi-opening of a
 * capped tree takes the bottom subtrees of the opened leaves, rebuilt by
 * the caller (cairn_merkle_subtree_build), and gives the full tree's bytes.
 */
#ifndef CAIRN_MERKLE_H
#define CAIRN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/sha256.h"

/* Largest supported height: at most 2^40 leaves. */
#define CAIRN_MERKLE_MAX_HEIGHT 40u
#define CAIRN_MERKLE_MAX_LEAVES ((size_t)1 << CAIRN_MERKLE_MAX_HEIGHT)
/* Domain-separation prefixes of the two hash inputs. */
#define CAIRN_MERKLE_LEAF_PREFIX 0x00u
#define CAIRN_MERKLE_NODE_PREFIX 0x01u

/*
 * A built tree.  nodes holds the levels cap .. h in one array of
 * 2 W' - 1 digests, W' = W >> cap, lowest level first: level l (l = 0
 * leaves, l = h the root) has W >> l nodes starting at offset
 * 2 W' - 2 (W >> l); the root is nodes[2 W' - 2].  cap = 0 is the full
 * tree (2W - 1 digests, the leaves first).  Invariant after a successful
 * build: nodes[off(l+1) + i] = node_hash(nodes[off(l) + 2i],
 * nodes[off(l) + 2i + 1]) for cap <= l < h.
 */
typedef struct {
    cairn_digest *nodes;
    size_t num_leaves; /* n, the leaves that may be opened */
    size_t width;      /* W = 2^height >= n */
    unsigned height;   /* h = ceil(log2 n) */
    unsigned cap;      /* the lowest level held (0: every level) */
} cairn_merkle_tree;

/*
 * The bottom subtrees a multi-opening of a capped tree reads below its
 * cap L: index[0 .. index_len) sorted and distinct, and for subtree i the
 * 2^(L+1) - 1 nodes of subtree index[i] at nodes + i (2^(L+1) - 1), laid
 * out as cairn_merkle_subtree_build leaves them.  Both arrays are the
 * caller's.
 */
typedef struct {
    const size_t *index;
    const cairn_digest *nodes;
    size_t index_len;
} cairn_merkle_subtrees;

/*
 * A multi-leaf opening: the sibling digests the verifier cannot recompute
 * from the opened leaves, level by level from the leaves up, in increasing
 * position within a level.  Owned by the struct (heap).
 */
typedef struct {
    cairn_digest *siblings;
    size_t siblings_len;
} cairn_merkle_multiproof;

/* ---- hashing ---------------------------------------------------------- */

/* out = SHA-256(0x00 || data[0 .. data_len)): the digest of one leaf. */
void cairn_merkle_leaf_hash(cairn_digest *out, const void *data, size_t data_len);

/*
 * Start a running leaf hash: ctx = SHA-256 state after the 0x00 prefix.
 * Update it with the leaf's data and finish with cairn_sha256_final to get
 * exactly cairn_merkle_leaf_hash of the concatenated data.  Copy one such
 * state to start many leaves.
 */
void cairn_merkle_leaf_init(cairn_sha256_ctx *ctx);

/* out = SHA-256(0x01 || left || right). out may alias left or right. */
void cairn_merkle_node_hash(cairn_digest *out, const cairn_digest *left, const cairn_digest *right);

/* ceil(log2 num_leaves): the height of a tree over num_leaves >= 1 leaves (0 for 0 or 1). */
unsigned cairn_merkle_height(size_t num_leaves);

/* ---- trees -------------------------------------------------------------- */

/* An empty tree (no nodes); cairn_merkle_tree_clear is then a no-op. */
void cairn_merkle_tree_init(cairn_merkle_tree *tree);

/*
 * Build the tree over leaves[0 .. leaves_len), replacing anything tree held
 * (leaves may point into the old tree's nodes).
 * 1 <= leaves_len <= CAIRN_MERKLE_MAX_LEAVES, else CAIRN_ERR_ARG.  threads:
 * 0 or 1 builds on the calling thread, more splits the lower levels among
 * that many threads (the result is identical).  CAIRN_ERR_NOMEM if the
 * 2W - 1 digests cannot be allocated.  On failure tree is left empty.
 */
cairn_status cairn_merkle_tree_build(cairn_merkle_tree *tree, const cairn_digest *leaves,
                                     size_t leaves_len, unsigned threads, cairn_error *err);

/*
 * Build the capped tree over num_leaves leaves that keeps the levels
 * cap .. h, from roots[0 .. ceil(num_leaves / 2^cap)): the nodes of level
 * cap that have a leaf under them, each the root of its bottom subtree
 * (cairn_merkle_subtree_build; the last one's padding slots zero digests),
 * the rest of the level being padding.  Replaces anything tree held (roots
 * may point into the old tree's nodes).  CAIRN_ERR_ARG when num_leaves is
 * 0 or above CAIRN_MERKLE_MAX_LEAVES, roots is NULL or cap exceeds the
 * height; CAIRN_ERR_NOMEM if the 2 (W >> cap) - 1 digests cannot be
 * allocated; threads as for cairn_merkle_tree_build.  The root equals
 * cairn_merkle_tree_build's over the same leaves; cap = 0 is that build.
 * On failure tree is left empty.
 */
cairn_status cairn_merkle_tree_build_capped(cairn_merkle_tree *tree, const cairn_digest *roots,
                                            size_t num_leaves, unsigned cap, unsigned threads,
                                            cairn_error *err);

/*
 * Hash one subtree of 2^height leaf slots in place: nodes[0 .. leaves_len)
 * hold its leaf digests (leaves_len <= 2^height), the slots leaves_len ..
 * 2^height - 1 are set to the zero digest (padding), and the levels above
 * are written after them in the tree's layout: 2^(height+1) - 1 digests in
 * all, level l at offset 2^(height+1) - 2^(height+1-l), the subtree's root
 * last.  The nodes equal those of the same subtree in a full tree.
 */
void cairn_merkle_subtree_build(cairn_digest *nodes, size_t leaves_len, unsigned height);

/*
 * The bottom subtrees under cap that hold the leaves indices[0 ..
 * indices_len): each index >> cap, sorted and without repetitions, into
 * out (room for indices_len entries).  Returns how many.
 */
size_t cairn_merkle_subtrees_of(size_t *out, const size_t *indices, size_t indices_len,
                                unsigned cap);

/* Free the nodes and return to the empty state. Safe on NULL and on an empty tree. */
void cairn_merkle_tree_clear(cairn_merkle_tree *tree);

/* The root of a built tree, capped or not (a pointer into tree->nodes); NULL for an empty tree. */
const cairn_digest *cairn_merkle_tree_root(const cairn_merkle_tree *tree);

/* Leaf digest i < num_leaves of a built full tree; NULL for a capped one (cap > 0). */
const cairn_digest *cairn_merkle_tree_leaf(const cairn_merkle_tree *tree, size_t index);

/* ---- single-leaf paths ------------------------------------------------ */

/*
 * path[0 .. height) = the siblings of leaf `index` from the leaf level up.
 * path_len must equal tree->height and index < num_leaves, and the tree
 * must be full (cap 0), else CAIRN_ERR_ARG.
 */
cairn_status cairn_merkle_tree_open(cairn_digest *path, size_t path_len,
                                    const cairn_merkle_tree *tree, size_t index, cairn_error *err);

/*
 * Check that `leaf` sits at `index` of the tree over num_leaves leaves with
 * root `root`, given its path (path_len siblings, leaf level first).
 * CAIRN_OK when it does; CAIRN_ERR_REJECTED when the recomputed root differs;
 * CAIRN_ERR_ARG when num_leaves is 0 or too large, index >= num_leaves or
 * path_len != cairn_merkle_height(num_leaves).
 */
cairn_status cairn_merkle_path_verify(const cairn_digest *root, size_t num_leaves, size_t index,
                                      const cairn_digest *leaf, const cairn_digest *path,
                                      size_t path_len, cairn_error *err);

/* ---- multi-leaf openings ---------------------------------------------- */

/* An empty multiproof; clear is then a no-op. */
void cairn_merkle_multiproof_init(cairn_merkle_multiproof *proof);

/* Free the siblings and return to the empty state. Safe on NULL. */
void cairn_merkle_multiproof_clear(cairn_merkle_multiproof *proof);

/*
 * Open the leaves at indices[0 .. indices_len) (any order, repetitions
 * allowed; the opening is that of the sorted distinct set).  proof is
 * replaced.  CAIRN_ERR_ARG for indices_len == 0, an index >= num_leaves or
 * a capped tree (cairn_merkle_multiproof_open_capped opens those),
 * CAIRN_ERR_NOMEM on allocation failure (proof then left empty).
 */
cairn_status cairn_merkle_multiproof_open(cairn_merkle_multiproof *proof,
                                          const cairn_merkle_tree *tree, const size_t *indices,
                                          size_t indices_len, cairn_error *err);

/*
 * The same opening from a capped tree and the bottom subtrees of the
 * opened leaves: the siblings below tree->cap are read from sub, those at
 * or above it from the tree, so the proof is byte for byte the full
 * tree's.  sub may hold more subtrees than needed, and may be NULL for a
 * full tree.  CAIRN_ERR_ARG as for cairn_merkle_multiproof_open, or when
 * the subtree of an opened leaf is not in sub.
 */
cairn_status cairn_merkle_multiproof_open_capped(cairn_merkle_multiproof *proof,
                                                 const cairn_merkle_tree *tree,
                                                 const cairn_merkle_subtrees *sub,
                                                 const size_t *indices, size_t indices_len,
                                                 cairn_error *err);

/*
 * Check that leaves[i] sits at indices[i] for every i < indices_len in the
 * tree over num_leaves leaves with root `root`.  Indices in any order,
 * repetitions allowed when they carry the same leaf digest.  CAIRN_OK when
 * the proof supplies exactly the siblings needed and the recomputed root
 * matches; CAIRN_ERR_REJECTED otherwise (too few or too many siblings, a
 * repeated index with two different leaves, a different root).
 * CAIRN_ERR_ARG for indices_len == 0, num_leaves out of range or an index
 * >= num_leaves (the caller's indices, not the proof, are wrong);
 * CAIRN_ERR_NOMEM if scratch for indices_len entries cannot be allocated.
 */
cairn_status cairn_merkle_multiproof_verify(const cairn_digest *root, size_t num_leaves,
                                            const size_t *indices, const cairn_digest *leaves,
                                            size_t indices_len,
                                            const cairn_merkle_multiproof *proof, cairn_error *err);

/* ---- encoding ---------------------------------------------------------- */

/* Bytes of the encoding: 4 + 32 * siblings_len. */
size_t cairn_merkle_multiproof_encoded_len(const cairn_merkle_multiproof *proof);

/*
 * Write the encoding (u32 little-endian sibling count, then the siblings,
 * 32 bytes each) to out[0 .. out_len).  out_len must equal
 * cairn_merkle_multiproof_encoded_len, else CAIRN_ERR_ARG; a proof with
 * 2^32 or more siblings is CAIRN_ERR_LIMIT.
 */
cairn_status cairn_merkle_multiproof_encode(uint8_t *out, size_t out_len,
                                            const cairn_merkle_multiproof *proof, cairn_error *err);

/*
 * Parse a multiproof from untrusted bytes for a tree of num_leaves leaves
 * opened at no more than max_queries indices (both from the verifier's own
 * parameters; CAIRN_ERR_ARG when either is 0 or num_leaves too large).
 * The sibling count must be at most min(max_queries * height, W - 1).
 * When in_used is NULL the encoding must fill in[0 .. in_len) exactly; when
 * it is not, trailing bytes are allowed and *in_used receives the number of
 * bytes consumed.  Any violation is CAIRN_ERR_PARSE with a message naming
 * the count, the bound or the length; proof is then left empty.
 * CAIRN_ERR_NOMEM on allocation failure.
 */
cairn_status cairn_merkle_multiproof_decode(cairn_merkle_multiproof *proof, size_t *in_used,
                                            const uint8_t *in, size_t in_len, size_t num_leaves,
                                            size_t max_queries, cairn_error *err);

#endif /* CAIRN_MERKLE_H */
