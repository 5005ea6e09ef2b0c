/*
 * cairn/cairn.h — umbrella header: everything public in one include
 * (tests/main.c compiles it with every warning as an error).
 */
#ifndef CAIRN_CAIRN_H
#define CAIRN_CAIRN_H

#include "cairn/error.h"
#include "cairn/version.h"
#include "cairn/file.h"
#include "cairn/field.h"
#include "cairn/ntt.h"
#include "cairn/sha256.h"
#include "cairn/merkle.h"
#include "cairn/transcript.h"
#include "cairn/poly.h"
#include "cairn/rows.h"
#include "cairn/vm.h"
#include "cairn/pool.h"
#include "cairn/simd.h"
#include "cairn/sumcheck.h"
#include "cairn/pcs.h"
#include "cairn/gkr.h"
#include "cairn/witness.h"
#include "cairn/zkvm.h"
#include "cairn/store.h"
#include "cairn/service.h"
#include "cairn/stone.h"

#endif
