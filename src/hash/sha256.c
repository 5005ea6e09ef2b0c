/*
 * sha256.c — SHA-256 (FIPS 180-4) through OpenSSL's low-level SHA256_CTX.
 *
 * Why SHA256_CTX and not EVP: measured on this project's machine (OpenSSL
 * 3.0, SHA-NI), a 64-byte message costs ~92 ns with SHA256_Init/Update/
 * Final, ~130 ns with a reused EVP_MD_CTX and a pre-fetched EVP_MD, and
 * ~350 ns with the one-shot SHA256() (which fetches through EVP each call).
 * An EVP_MD_CTX is also a heap object, which is wrong for the thousands of
 * per-column running hashes the commitment keeps; SHA256_CTX is a 112-byte
 * plain struct that copies with memcpy.  Both run OpenSSL's same assembly
 * block function (SHA-NI when present).  OpenSSL 3 marks the low-level API
 * deprecated, so this one file opts back in with OPENSSL_SUPPRESS_DEPRECATED;
 * should a future OpenSSL drop it, only this file changes (to EVP).
 *
 * Invariant: a cairn_sha256_ctx's storage holds exactly an SHA256_CTX
 * (static-asserted to fit and to need no more than 8-byte alignment).  The
 * packed form (cairn_sha256_pack / _unpack) reads and writes SHA256_CTX's
 * public fields: the chaining value h and the pending bytes of data, the
 * rest (lengths, num, md_len) coming from a template context.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "cairn/sha256.h"

#include <stdalign.h>
#include <string.h>

#include <openssl/sha.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(cairn_sha256_ctx),
               "cairn_sha256_ctx too small for SHA256_CTX");
_Static_assert(alignof(SHA256_CTX) <= alignof(cairn_sha256_ctx),
               "cairn_sha256_ctx under-aligned for SHA256_CTX");
_Static_assert(SHA256_DIGEST_LENGTH == CAIRN_SHA256_BYTES, "digest size");

static SHA256_CTX *ossl(cairn_sha256_ctx *ctx)
{
    return (SHA256_CTX *)(void *)ctx->opaque;
}

void cairn_sha256_init(cairn_sha256_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    (void)SHA256_Init(ossl(ctx));
}

void cairn_sha256_update(cairn_sha256_ctx *ctx, const void *data, size_t data_len)
{
    if (data_len == 0)
        return;
    (void)SHA256_Update(ossl(ctx), data, data_len);
}

void cairn_sha256_final(uint8_t out[CAIRN_SHA256_BYTES], cairn_sha256_ctx *ctx)
{
    (void)SHA256_Final(out, ossl(ctx));
}

void cairn_sha256_copy(cairn_sha256_ctx *dst, const cairn_sha256_ctx *src)
{
    *dst = *src;
}

/* The context of a const cairn_sha256_ctx. */
static const SHA256_CTX *ossl_c(const cairn_sha256_ctx *ctx)
{
    return (const SHA256_CTX *)(const void *)ctx->opaque;
}

/*
 * The packed form relies on SHA256_CTX's public layout (openssl/sha.h):
 * h[8] is the chaining value, data[] the block being filled (as bytes),
 * num how many of them are pending, Nl/Nh the length and md_len the digest
 * size, the same in every context that absorbed as many bytes.
 */
_Static_assert(sizeof(((SHA256_CTX *)0)->h) == CAIRN_SHA256_BYTES, "chaining value size");
_Static_assert(sizeof(((SHA256_CTX *)0)->data) == CAIRN_SHA256_BLOCK_BYTES, "block size");

size_t cairn_sha256_pending(const cairn_sha256_ctx *ctx)
{
    return ossl_c(ctx)->num;
}

/*
 * The pending bytes are copied by a plain loop: there are few of them (one
 * in the commitment), and a call to memcpy per hash would cost more.
 */
void cairn_sha256_pack(uint8_t cv[CAIRN_SHA256_BYTES], uint8_t *pend, const cairn_sha256_ctx *ctx)
{
    const SHA256_CTX *c = ossl_c(ctx);
    const uint8_t *data = (const uint8_t *)c->data;
    memcpy(cv, c->h, CAIRN_SHA256_BYTES);
    for (unsigned i = 0; i < c->num; i++)
        pend[i] = data[i];
}

void cairn_sha256_unpack(cairn_sha256_ctx *ctx, const cairn_sha256_ctx *tmpl,
                         const uint8_t cv[CAIRN_SHA256_BYTES], const uint8_t *pend)
{
    SHA256_CTX *c = ossl(ctx);
    const SHA256_CTX *t = ossl_c(tmpl);
    uint8_t *data = (uint8_t *)c->data;
    memcpy(c->h, cv, CAIRN_SHA256_BYTES);
    c->Nl = t->Nl;
    c->Nh = t->Nh;
    c->num = t->num;
    c->md_len = t->md_len;
    for (unsigned i = 0; i < t->num; i++)
        data[i] = pend[i];
}

void cairn_sha256(uint8_t out[CAIRN_SHA256_BYTES], const void *data, size_t data_len)
{
    cairn_sha256_ctx ctx;
    cairn_sha256_init(&ctx);
    cairn_sha256_update(&ctx, data, data_len);
    cairn_sha256_final(out, &ctx);
}

/* ---- self-check ----------------------------------------------------------- */

struct kat {
    const char *name;
    const char *msg; /* NULL: one million 'a' */
    uint8_t digest[CAIRN_SHA256_BYTES];
};

static const struct kat kats[] = {
    {"empty message", "", {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                           0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                           0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55}},
    {"FIPS 180-2 \"abc\"", "abc", {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                   0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                   0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad}},
    {"FIPS 180-2 448-bit message",
     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     {0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26,
      0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff,
      0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1}},
    {"FIPS 180-2 one million 'a'", NULL, {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
                                          0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
                                          0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
                                          0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0}},
};

#define MILLION 1000000u

/*
 * Check each vector three ways: one-shot; incrementally in pieces of 1, 2,
 * 3, ... bytes (crossing every block boundary differently); and by hashing
 * the first half, copying the context, and finishing both copies.  The
 * million-'a' message is fed from a 1000-byte buffer, so no big allocation.
 */
cairn_status cairn_sha256_selftest(cairn_error *err)
{
    uint8_t chunk[1000];
    memset(chunk, 'a', sizeof chunk);

    for (size_t k = 0; k < sizeof kats / sizeof kats[0]; k++) {
        const struct kat *v = &kats[k];
        uint8_t got[CAIRN_SHA256_BYTES], got2[CAIRN_SHA256_BYTES];
        cairn_sha256_ctx ctx, fork;

        if (v->msg != NULL) {
            size_t len = strlen(v->msg);
            cairn_sha256(got, v->msg, len);
            if (memcmp(got, v->digest, sizeof got) != 0)
                goto fail_oneshot;
            cairn_sha256_init(&ctx);
            for (size_t off = 0, step = 1; off < len; off += step, step++)
                cairn_sha256_update(&ctx, v->msg + off, step < len - off ? step : len - off);
            cairn_sha256_final(got, &ctx);
            if (memcmp(got, v->digest, sizeof got) != 0)
                goto fail_incremental;
            cairn_sha256_init(&ctx);
            cairn_sha256_update(&ctx, v->msg, len / 2);
            cairn_sha256_copy(&fork, &ctx);
            cairn_sha256_update(&ctx, v->msg + len / 2, len - len / 2);
            cairn_sha256_update(&fork, v->msg + len / 2, len - len / 2);
            cairn_sha256_final(got, &ctx);
            cairn_sha256_final(got2, &fork);
            if (memcmp(got, v->digest, sizeof got) != 0 || memcmp(got2, v->digest, sizeof got) != 0)
                goto fail_copy;
        } else {
            cairn_sha256_init(&ctx);
            for (unsigned i = 0; i < MILLION / sizeof chunk; i++) {
                if (i == MILLION / sizeof chunk / 2)
                    cairn_sha256_copy(&fork, &ctx);
                cairn_sha256_update(&ctx, chunk, sizeof chunk);
            }
            cairn_sha256_final(got, &ctx);
            if (memcmp(got, v->digest, sizeof got) != 0)
                goto fail_incremental;
            for (unsigned i = MILLION / sizeof chunk / 2; i < MILLION / sizeof chunk; i++)
                cairn_sha256_update(&fork, chunk, sizeof chunk);
            cairn_sha256_final(got2, &fork);
            if (memcmp(got2, v->digest, sizeof got2) != 0)
                goto fail_copy;
        }
        continue;
    fail_oneshot:
        return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                               "SHA-256 self-check: %s: one-shot digest wrong", v->name);
    fail_incremental:
        return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                               "SHA-256 self-check: %s: incremental digest wrong", v->name);
    fail_copy:
        return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                               "SHA-256 self-check: %s: digest after a context copy wrong",
                               v->name);
    }
    return CAIRN_OK;
}
