/*
 * merkle.c — binary Merkle trees over SHA-256 (include/cairn/merkle.h).
 *
 * Hash inputs are domain-separated: leaves H(0x00 || data), inner nodes
 * H(0x01 || left || right).  A tree over n leaves has fixed height
 * h = ceil(log2 n) and width W = 2^h; leaf slots n .. W-1 hold the zero
 * digest.  Subtrees made only of padding are not hashed again: their
 * digests Z_l (Z_0 = 0^32, Z_{l+1} = H(0x01 || Z_l || Z_l)) are computed
 * once per build.
 *
 * Multi-openings follow the usual "octopus" walk: keep the sorted distinct
 * positions known at a level; a position whose sibling is also known pairs
 * with it, any other takes its sibling from the proof; parents form the
 * next level.  Prover (open) and verifier (verify) run the same walk, so the
 * sibling order is: level by level from the leaves up, increasing position
 * within a level.  The format is in docs/hashing.md.
 *
 * A capped tree holds only the levels from its cap L up, built from the
 * roots of its bottom subtrees (2^L leaf slots each) by the same code as a
 * full tree.  The prover's walk reads a node through node_at: from the
 * tree at or above L, and below L from the caller's rebuilt subtrees, which
 * hold every node below L that an opening needs (a node's sibling below L
 * lies in the same bottom subtree as the node).
 */
#include "cairn/merkle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hash_internal.h"

/* Below this many leaves per thread a parallel build is not worth it. */
#define MIN_LEAVES_PER_THREAD ((size_t)1 << 12)
/* Most threads a build will start. */
#define MAX_BUILD_THREADS 64u

void cairn_merkle_leaf_hash(cairn_digest *out, const void *data, size_t data_len)
{
    cairn_sha256_ctx ctx;
    cairn_merkle_leaf_init(&ctx);
    cairn_sha256_update(&ctx, data, data_len);
    cairn_sha256_final(out->bytes, &ctx);
}

void cairn_merkle_leaf_init(cairn_sha256_ctx *ctx)
{
    const uint8_t prefix = CAIRN_MERKLE_LEAF_PREFIX;
    cairn_sha256_init(ctx);
    cairn_sha256_update(ctx, &prefix, 1);
}

void cairn_merkle_node_hash(cairn_digest *out, const cairn_digest *left, const cairn_digest *right)
{
    uint8_t buf[1 + 2 * CAIRN_SHA256_BYTES];
    buf[0] = CAIRN_MERKLE_NODE_PREFIX;
    memcpy(buf + 1, left->bytes, CAIRN_SHA256_BYTES);
    memcpy(buf + 1 + CAIRN_SHA256_BYTES, right->bytes, CAIRN_SHA256_BYTES);
    cairn_sha256(out->bytes, buf, sizeof buf);
}

unsigned cairn_merkle_height(size_t num_leaves)
{
    unsigned h = 0;
    while (h < 8 * sizeof(size_t) - 1 && ((size_t)1 << h) < num_leaves)
        h++;
    return h;
}

/* Offset of level l in the leaves-first node array of a tree of width W. */
static size_t level_off(size_t width, unsigned l)
{
    return 2 * (width - (width >> l));
}

/* ---- build ----------------------------------------------------------------- */

struct build_job {
    cairn_digest *nodes;
    const cairn_digest *zero; /* zero[l] = Z_l */
    size_t width, num_leaves;
    unsigned lo, hi;   /* build levels lo .. hi */
    size_t first, end; /* leaf range [first, end) of this job's subtree */
};

/*
 * Hash levels job->lo .. job->hi over the job's leaf range: at level l the
 * nodes [first >> l, end >> l).  Nodes whose whole subtree lies in the
 * padding (position << l >= num_leaves) get Z_l without hashing.
 */
static void build_levels(const struct build_job *job)
{
    for (unsigned l = job->lo; l <= job->hi; l++) {
        cairn_digest *below = job->nodes + level_off(job->width, l - 1);
        cairn_digest *here = job->nodes + level_off(job->width, l);
        size_t live = ((job->num_leaves - 1) >> l) + 1; /* nodes with a real leaf under them */
        for (size_t i = job->first >> l; i < job->end >> l; i++) {
            if (i >= live)
                here[i] = job->zero[l];
            else
                cairn_merkle_node_hash(&here[i], &below[2 * i], &below[2 * i + 1]);
        }
    }
}

static void *build_thread(void *arg)
{
    build_levels(arg);
    return NULL;
}

/*
 * The build behind cairn_merkle_tree_build (cap 0) and _capped.  The
 * `live` = ceil(n / 2^cap) given nodes of level cap (the leaves when cap is
 * 0) are copied to the bottom of an array laid out as a tree of width
 * W' = W >> cap and padded with Z_cap, then the levels above are hashed.
 * With T > 1 threads (T a power of two, each with at least
 * MIN_LEAVES_PER_THREAD nodes of level cap), thread j builds the subtree
 * over nodes [jW'/T, (j+1)W'/T) up to level h - log2 T, and the calling
 * thread finishes the top log2 T levels.  Every node is a function of its
 * children only, so the result does not depend on T.  A thread that cannot
 * be started is run inline instead.
 */
static cairn_status tree_build(cairn_merkle_tree *tree, const cairn_digest *digests,
                               size_t num_leaves, unsigned cap, unsigned threads, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    cairn_digest zero[CAIRN_MERKLE_MAX_HEIGHT + 1];
    struct build_job jobs[MAX_BUILD_THREADS];
    pthread_t tids[MAX_BUILD_THREADS];
    int started[MAX_BUILD_THREADS];
    /*
     * The old nodes are freed now, keeping the peak at one tree, unless the
     * digests point into them (a rebuild from the tree's own lowest level);
     * then they are freed at the end.
     */
    cairn_digest *old = tree->nodes;
    cairn_digest *nodes = NULL;
    if (old != NULL) {
        size_t held = 2 * (tree->width >> tree->cap) - 1;
        uintptr_t o0 = (uintptr_t)old, o1 = (uintptr_t)(old + held);
        uintptr_t l0 = (uintptr_t)digests, l1 = l0 + (uintptr_t)num_leaves * sizeof *digests;
        /* free only when the two ranges are disjoint */
        if (digests == NULL || l1 <= o0 || l0 >= o1) {
            free(old);
            old = NULL;
        }
    }

    cairn_merkle_tree_init(tree);
    if (num_leaves == 0 || num_leaves > CAIRN_MERKLE_MAX_LEAVES) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "merkle build: %zu leaves, need 1 to 2^%u",
                             num_leaves, CAIRN_MERKLE_MAX_HEIGHT);
        goto out;
    }
    if (digests == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "merkle build: %s is NULL",
                             cap == 0 ? "leaves" : "roots");
        goto out;
    }

    unsigned h = cairn_merkle_height(num_leaves);
    if (cap > h) {
        st = cairn_error_set(err, CAIRN_ERR_ARG,
                             "merkle build: cap %u above the height %u of %zu leaves", cap, h,
                             num_leaves);
        goto out;
    }
    size_t width = (size_t)1 << h, wc = width >> cap, live = ((num_leaves - 1) >> cap) + 1;
    unsigned hc = h - cap;
    /* 2W' - 1 <= 2^41 digests; the byte count is checked even so */
    size_t count = 2 * wc - 1;
    if (count > SIZE_MAX / sizeof(cairn_digest)) {
        st =
            cairn_error_set(err, CAIRN_ERR_NOMEM, "merkle build: %zu nodes overflow size_t", count);
        goto out;
    }
    nodes = malloc(count * sizeof(cairn_digest));
    if (nodes == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM,
                             "merkle build: cannot allocate %zu nodes for %zu leaves", count,
                             num_leaves);
        goto out;
    }

    memset(&zero[0], 0, sizeof zero[0]);
    for (unsigned l = 0; l < h; l++)
        cairn_merkle_node_hash(&zero[l + 1], &zero[l], &zero[l]);
    memcpy(nodes, digests, live * sizeof(cairn_digest));
    for (size_t i = live; i < wc; i++)
        nodes[i] = zero[cap];

    unsigned log_t = 0;
    if (threads > MAX_BUILD_THREADS)
        threads = MAX_BUILD_THREADS;
    while (log_t < hc && (2u << log_t) <= threads && (wc >> (log_t + 1)) >= MIN_LEAVES_PER_THREAD)
        log_t++;
    unsigned nthreads = 1u << log_t;

    for (unsigned j = 0; j < nthreads; j++) {
        jobs[j].nodes = nodes;
        jobs[j].zero = zero + cap;
        jobs[j].width = wc;
        jobs[j].num_leaves = live;
        jobs[j].lo = 1;
        jobs[j].hi = hc - log_t;
        jobs[j].first = (wc >> log_t) * j;
        jobs[j].end = (wc >> log_t) * (j + 1);
        started[j] = 0;
    }
    for (unsigned j = 1; j < nthreads; j++)
        started[j] = pthread_create(&tids[j], NULL, build_thread, &jobs[j]) == 0;
    build_levels(&jobs[0]);
    for (unsigned j = 1; j < nthreads; j++) {
        if (started[j])
            (void)pthread_join(tids[j], NULL);
        else
            build_levels(&jobs[j]);
    }
    if (log_t > 0) {
        struct build_job top = jobs[0];
        top.lo = hc - log_t + 1;
        top.hi = hc;
        top.first = 0;
        top.end = wc;
        build_levels(&top);
    }

    tree->nodes = nodes;
    tree->num_leaves = num_leaves;
    tree->width = width;
    tree->height = h;
    tree->cap = cap;
out:
    free(old);
    return st;
}

/* The full tree: the capped build with nothing capped (the leaves are level 0's nodes). */
cairn_status cairn_merkle_tree_build(cairn_merkle_tree *tree, const cairn_digest *leaves,
                                     size_t leaves_len, unsigned threads, cairn_error *err)
{
    return tree_build(tree, leaves, leaves_len, 0, threads, err);
}

/* Levels cap .. h from the subtree roots: tree_build with the roots as its lowest level. */
cairn_status cairn_merkle_tree_build_capped(cairn_merkle_tree *tree, const cairn_digest *roots,
                                            size_t num_leaves, unsigned cap, unsigned threads,
                                            cairn_error *err)
{
    return tree_build(tree, roots, num_leaves, cap, threads, err);
}

/*
 * One bottom subtree, hashed by build_levels as a tree of its own with
 * every slot live: its padding slots are zero digests, so the nodes above
 * them hash to the Z_l that the full tree's builder writes without hashing.
 */
void cairn_merkle_subtree_build(cairn_digest *nodes, size_t leaves_len, unsigned height)
{
    size_t width = (size_t)1 << height;
    struct build_job job = {nodes, NULL, width, width, 1, height, 0, width};
    memset(nodes + leaves_len, 0, (width - leaves_len) * sizeof *nodes);
    build_levels(&job);
}

void cairn_merkle_tree_init(cairn_merkle_tree *tree)
{
    tree->nodes = NULL;
    tree->num_leaves = 0;
    tree->width = 0;
    tree->height = 0;
    tree->cap = 0;
}

void cairn_merkle_tree_clear(cairn_merkle_tree *tree)
{
    if (tree == NULL)
        return;
    free(tree->nodes);
    cairn_merkle_tree_init(tree);
}

const cairn_digest *cairn_merkle_tree_root(const cairn_merkle_tree *tree)
{
    if (tree->nodes == NULL)
        return NULL;
    return &tree->nodes[2 * (tree->width >> tree->cap) - 2];
}

const cairn_digest *cairn_merkle_tree_leaf(const cairn_merkle_tree *tree, size_t index)
{
    if (tree->cap > 0)
        return NULL;
    return &tree->nodes[index];
}

/* ---- single paths ------------------------------------------------------------ */

cairn_status cairn_merkle_tree_open(cairn_digest *path, size_t path_len,
                                    const cairn_merkle_tree *tree, size_t index, cairn_error *err)
{
    if (tree->nodes == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle open: tree not built");
    if (tree->cap > 0)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle open: the tree is capped at level %u, its path is not held",
                               tree->cap);
    if (index >= tree->num_leaves)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle open: index %zu out of range (%zu leaves)", index,
                               tree->num_leaves);
    if (path_len != tree->height)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle open: path has room for %zu siblings, height is %u",
                               path_len, tree->height);
    for (unsigned l = 0; l < tree->height; l++)
        path[l] = tree->nodes[level_off(tree->width, l) + ((index >> l) ^ 1)];
    return CAIRN_OK;
}

/*
 * Hash from the leaf up: at level l the running node sits at position
 * index >> l, on the left when that position is even.  Accept iff the
 * result equals the root.
 */
cairn_status cairn_merkle_path_verify(const cairn_digest *root, size_t num_leaves, size_t index,
                                      const cairn_digest *leaf, const cairn_digest *path,
                                      size_t path_len, cairn_error *err)
{
    if (num_leaves == 0 || num_leaves > CAIRN_MERKLE_MAX_LEAVES)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle path verify: %zu leaves, need 1 to 2^%u",
                               num_leaves, CAIRN_MERKLE_MAX_HEIGHT);
    if (index >= num_leaves)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle path verify: index %zu out of range (%zu leaves)", index,
                               num_leaves);
    unsigned h = cairn_merkle_height(num_leaves);
    if (path_len != h)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle path verify: path of %zu siblings, a tree of %zu leaves has "
                               "height %u",
                               path_len, num_leaves, h);
    cairn_digest cur = *leaf;
    for (unsigned l = 0; l < h; l++) {
        if (((index >> l) & 1) == 0)
            cairn_merkle_node_hash(&cur, &cur, &path[l]);
        else
            cairn_merkle_node_hash(&cur, &path[l], &cur);
    }
    if (memcmp(cur.bytes, root->bytes, CAIRN_SHA256_BYTES) != 0)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "merkle path verify: leaf %zu does not hash to the root", index);
    return CAIRN_OK;
}

/* ---- multi-openings ---------------------------------------------------------- */

void cairn_merkle_multiproof_init(cairn_merkle_multiproof *proof)
{
    proof->siblings = NULL;
    proof->siblings_len = 0;
}

void cairn_merkle_multiproof_clear(cairn_merkle_multiproof *proof)
{
    if (proof == NULL)
        return;
    free(proof->siblings);
    cairn_merkle_multiproof_init(proof);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Sort a[0 .. len) and drop repetitions in place; returns how many are left (len >= 1). */
static size_t sort_distinct(size_t *a, size_t len)
{
    size_t m = 1;
    qsort(a, len, sizeof(size_t), cmp_size);
    for (size_t i = 1; i < len; i++) {
        if (a[i] != a[m - 1])
            a[m++] = a[i];
    }
    return m;
}

/* Each index's subtree, index >> cap, then sorted and deduplicated in place. */
size_t cairn_merkle_subtrees_of(size_t *out, const size_t *indices, size_t indices_len,
                                unsigned cap)
{
    if (indices_len == 0)
        return 0;
    for (size_t i = 0; i < indices_len; i++)
        out[i] = indices[i] >> cap;
    return sort_distinct(out, indices_len);
}

struct known {
    size_t pos;
    cairn_digest d;
};

static int cmp_known(const void *a, const void *b)
{
    size_t x = ((const struct known *)a)->pos, y = ((const struct known *)b)->pos;
    return (x > y) - (x < y);
}

/*
 * The nodes of bottom subtree a in sub (binary search over its sorted
 * indices), or NULL when sub does not hold it.
 */
static const cairn_digest *subtree_find(const cairn_merkle_subtrees *sub, unsigned cap, size_t a)
{
    size_t lo = 0, hi = sub->index_len, per = ((size_t)2 << cap) - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sub->index[mid] == a)
            return sub->nodes + mid * per;
        if (sub->index[mid] < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/*
 * Node p of level l as the walk reads it: from the tree at or above its
 * cap, below it from the bottom subtree over the node (whose presence the
 * caller has checked for every opened leaf; a sibling below the cap shares
 * its subtree with an opened leaf).
 */
static const cairn_digest *node_at(const cairn_merkle_tree *tree, const cairn_merkle_subtrees *sub,
                                   unsigned l, size_t p)
{
    unsigned cap = tree->cap;
    if (l >= cap)
        return &tree->nodes[level_off(tree->width >> cap, l - cap) + p];
    const cairn_digest *s = subtree_find(sub, cap, p >> (cap - l));
    return s + level_off((size_t)1 << cap, l) + (p & (((size_t)1 << (cap - l)) - 1));
}

/*
 * The prover's side of the walk over the sorted distinct positions
 * pos[0 .. m) (destroyed).  Counts the siblings it would emit and, when out
 * is not NULL, writes them there from the tree and the subtrees.
 */
static size_t open_walk(cairn_digest *out, size_t *pos, size_t m, const cairn_merkle_tree *tree,
                        const cairn_merkle_subtrees *sub)
{
    size_t c = 0;
    for (unsigned l = 0; l < tree->height; l++) {
        size_t j = 0;
        for (size_t i = 0; i < m;) {
            size_t p = pos[i];
            if ((p & 1) == 0 && i + 1 < m && pos[i + 1] == p + 1) {
                i += 2;
            } else {
                if (out != NULL)
                    out[c] = *node_at(tree, sub, l, p ^ 1);
                c++;
                i++;
            }
            pos[j++] = p >> 1;
        }
        m = j;
    }
    return c;
}

/* The full tree's opening: the capped one without subtrees (a capped tree is then refused). */
cairn_status cairn_merkle_multiproof_open(cairn_merkle_multiproof *proof,
                                          const cairn_merkle_tree *tree, const size_t *indices,
                                          size_t indices_len, cairn_error *err)
{
    return cairn_merkle_multiproof_open_capped(proof, tree, NULL, indices, indices_len, err);
}

/*
 * Sort and dedupe a copy of the indices, check that every opened leaf's
 * bottom subtree is at hand (capped trees), count the siblings with one
 * walk, then allocate exactly and fill them with a second walk over a fresh
 * copy.
 */
cairn_status cairn_merkle_multiproof_open_capped(cairn_merkle_multiproof *proof,
                                                 const cairn_merkle_tree *tree,
                                                 const cairn_merkle_subtrees *sub,
                                                 const size_t *indices, size_t indices_len,
                                                 cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    size_t *sorted = NULL, *scratch = NULL;
    cairn_digest *sib = NULL;

    cairn_merkle_multiproof_clear(proof);
    if (tree->nodes == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle multiproof open: tree not built");
    if (indices_len == 0 || indices == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle multiproof open: no indices");
    for (size_t i = 0; i < indices_len; i++) {
        if (indices[i] >= tree->num_leaves)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "merkle multiproof open: index %zu (entry %zu) out of range "
                                   "(%zu leaves)",
                                   indices[i], i, tree->num_leaves);
    }
    if (tree->cap > 0 && sub == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle multiproof open: the tree is capped at level %u and no "
                               "bottom subtrees were given",
                               tree->cap);
    if (indices_len > SIZE_MAX / sizeof(size_t))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "merkle multiproof open: too many indices");
    sorted = malloc(indices_len * sizeof(size_t));
    scratch = malloc(indices_len * sizeof(size_t));
    if (sorted == NULL || scratch == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM,
                             "merkle multiproof open: cannot allocate scratch for %zu indices",
                             indices_len);
        goto out;
    }
    memcpy(sorted, indices, indices_len * sizeof(size_t));
    size_t m = sort_distinct(sorted, indices_len);
    for (size_t i = 0; i < m && tree->cap > 0; i++) {
        if (subtree_find(sub, tree->cap, sorted[i] >> tree->cap) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "merkle multiproof open: bottom subtree %zu (of leaf %zu) not "
                                 "given",
                                 sorted[i] >> tree->cap, sorted[i]);
            goto out;
        }
    }

    memcpy(scratch, sorted, m * sizeof(size_t));
    size_t count = open_walk(NULL, scratch, m, tree, sub);
    if (count > 0) {
        /* count <= W - 1 <= 2^40, so the product cannot overflow */
        sib = malloc(count * sizeof(cairn_digest));
        if (sib == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM,
                                 "merkle multiproof open: cannot allocate %zu siblings", count);
            goto out;
        }
        memcpy(scratch, sorted, m * sizeof(size_t));
        (void)open_walk(sib, scratch, m, tree, sub);
    }
    proof->siblings = sib;
    proof->siblings_len = count;
    sib = NULL;
out:
    free(sorted);
    free(scratch);
    free(sib);
    return st;
}

/*
 * The verifier's walk: pair each (position, digest) with its known right
 * neighbour or with the next sibling from the proof, hash, move up; the
 * known set shrinks in place.  Accept iff the proof is consumed exactly and
 * the single node left equals the root.
 */
cairn_status cairn_merkle_multiproof_verify(const cairn_digest *root, size_t num_leaves,
                                            const size_t *indices, const cairn_digest *leaves,
                                            size_t indices_len,
                                            const cairn_merkle_multiproof *proof, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    struct known *k = NULL;

    if (num_leaves == 0 || num_leaves > CAIRN_MERKLE_MAX_LEAVES)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle multiproof verify: %zu leaves, need 1 to 2^%u", num_leaves,
                               CAIRN_MERKLE_MAX_HEIGHT);
    if (indices_len == 0 || indices == NULL || leaves == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle multiproof verify: no indices");
    for (size_t i = 0; i < indices_len; i++) {
        if (indices[i] >= num_leaves)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "merkle multiproof verify: index %zu (entry %zu) out of range "
                                   "(%zu leaves)",
                                   indices[i], i, num_leaves);
    }
    if (indices_len > SIZE_MAX / sizeof(struct known))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "merkle multiproof verify: too many indices");
    k = malloc(indices_len * sizeof(struct known));
    if (k == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM,
                             "merkle multiproof verify: cannot allocate scratch for %zu indices",
                             indices_len);
        goto out;
    }
    for (size_t i = 0; i < indices_len; i++) {
        k[i].pos = indices[i];
        k[i].d = leaves[i];
    }
    qsort(k, indices_len, sizeof(struct known), cmp_known);
    size_t m = 1;
    for (size_t i = 1; i < indices_len; i++) {
        if (k[i].pos != k[m - 1].pos) {
            k[m++] = k[i];
        } else if (memcmp(k[i].d.bytes, k[m - 1].d.bytes, CAIRN_SHA256_BYTES) != 0) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                 "merkle multiproof verify: index %zu given twice with different "
                                 "leaves",
                                 k[i].pos);
            goto out;
        }
    }

    unsigned h = cairn_merkle_height(num_leaves);
    size_t used = 0;
    for (unsigned l = 0; l < h; l++) {
        size_t j = 0;
        for (size_t i = 0; i < m;) {
            size_t p = k[i].pos;
            cairn_digest parent;
            if ((p & 1) == 0 && i + 1 < m && k[i + 1].pos == p + 1) {
                cairn_merkle_node_hash(&parent, &k[i].d, &k[i + 1].d);
                i += 2;
            } else {
                if (used == proof->siblings_len) {
                    st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                         "merkle multiproof verify: proof has %zu siblings, "
                                         "level %u needs more",
                                         proof->siblings_len, l);
                    goto out;
                }
                const cairn_digest *s = &proof->siblings[used++];
                if ((p & 1) == 0)
                    cairn_merkle_node_hash(&parent, &k[i].d, s);
                else
                    cairn_merkle_node_hash(&parent, s, &k[i].d);
                i++;
            }
            k[j].pos = p >> 1;
            k[j].d = parent;
            j++;
        }
        m = j;
    }
    if (used != proof->siblings_len) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "merkle multiproof verify: proof has %zu siblings, the opening "
                             "uses %zu",
                             proof->siblings_len, used);
        goto out;
    }
    if (memcmp(k[0].d.bytes, root->bytes, CAIRN_SHA256_BYTES) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "merkle multiproof verify: the %zu opened leaves do not hash to the "
                             "root",
                             indices_len);
        goto out;
    }
out:
    free(k);
    return st;
}

/* ---- encoding ---------------------------------------------------------------- */

size_t cairn_merkle_multiproof_encoded_len(const cairn_merkle_multiproof *proof)
{
    return 4 + CAIRN_SHA256_BYTES * proof->siblings_len;
}

cairn_status cairn_merkle_multiproof_encode(uint8_t *out, size_t out_len,
                                            const cairn_merkle_multiproof *proof, cairn_error *err)
{
    if (proof->siblings_len > UINT32_MAX)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "merkle multiproof encode: %zu siblings exceed the u32 count",
                               proof->siblings_len);
    size_t need = cairn_merkle_multiproof_encoded_len(proof);
    if (out == NULL || out_len != need)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle multiproof encode: buffer of %zu bytes, need exactly %zu",
                               out_len, need);
    uint32_t c = (uint32_t)proof->siblings_len;
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(c >> (8 * i));
    if (proof->siblings_len > 0)
        memcpy(out + 4, proof->siblings, proof->siblings_len * CAIRN_SHA256_BYTES);
    return CAIRN_OK;
}

/*
 * Untrusted input.  Check, in order: the parameters; that the 4-byte count
 * is present; that the count is within min(max_queries * h, W - 1) (no
 * honest opening of max_queries leaves needs more); that the length is
 * exact (or, with in_used, sufficient).  Only then allocate and copy.
 */
cairn_status cairn_merkle_multiproof_decode(cairn_merkle_multiproof *proof, size_t *in_used,
                                            const uint8_t *in, size_t in_len, size_t num_leaves,
                                            size_t max_queries, cairn_error *err)
{
    cairn_merkle_multiproof_clear(proof);
    if (num_leaves == 0 || num_leaves > CAIRN_MERKLE_MAX_LEAVES)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "merkle multiproof decode: %zu leaves, need 1 to 2^%u", num_leaves,
                               CAIRN_MERKLE_MAX_HEIGHT);
    if (max_queries == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle multiproof decode: max_queries is 0");
    if (in == NULL && in_len != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "merkle multiproof decode: input is NULL");

    unsigned h = cairn_merkle_height(num_leaves);
    size_t width = (size_t)1 << h;
    size_t bound = width - 1;
    if (h == 0)
        bound = 0;
    else if (max_queries <= bound / h)
        bound = max_queries * h < bound ? max_queries * h : bound;

    if (in_len < 4)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "merkle multiproof: %zu bytes, too short for the 4-byte sibling "
                               "count",
                               in_len);
    size_t count = (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16 | (size_t)in[3] << 24;
    if (count > bound)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "merkle multiproof: sibling count %zu exceeds the bound %zu for %zu "
                               "queries into %zu leaves (height %u)",
                               count, bound, max_queries, num_leaves, h);
    size_t need = 4 + CAIRN_SHA256_BYTES * count; /* count <= 2^40: no overflow */
    if (in_used == NULL && in_len != need)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "merkle multiproof: %zu bytes, expected exactly %zu "
                               "(4 + 32 * %zu siblings)",
                               in_len, need, count);
    if (in_len < need)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "merkle multiproof: truncated: %zu bytes, the %zu siblings need %zu",
                               in_len, count, need);
    if (count > 0) {
        proof->siblings = malloc(count * sizeof(cairn_digest));
        if (proof->siblings == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM,
                                   "merkle multiproof decode: cannot allocate %zu siblings", count);
        memcpy(proof->siblings, in + 4, count * CAIRN_SHA256_BYTES);
        proof->siblings_len = count;
    }
    if (in_used != NULL)
        *in_used = need;
    return CAIRN_OK;
}
