/*
 * cairn/cairn.h — umbrella header: everything public in one include.
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

#endif
