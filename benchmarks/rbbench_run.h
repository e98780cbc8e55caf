/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rbbench's measurement layer (above rbbench_model.h): one measured run of
 * one configuration (rbbench_run.c) and the end-to-end row, a real tracer
 * under an exec loop (rbbench_e2e.c). Every function returns 0, or 1 after
 * printing why.
 */
#ifndef RBBENCH_RUN_H
#define RBBENCH_RUN_H

#include "rbbench_model.h"

int rbb_run(const struct rbb_opts *o, const struct rbb_config *c, struct rbb_result *r);
/* Keeps bpf_stats on while the bench runs; rbb_stats_restore() undoes what it changed. */
int rbb_stats_enable(void);
void rbb_stats_restore(void);

int rbb_e2e_prepare(const struct rbb_opts *o);
int rbb_e2e_run(const struct rbb_opts *o, int variant, struct rbb_e2e_result *r);
void rbb_e2e_cleanup(void);
/* One run of the reader-on-a-pipe check (rbbench_model.h), added to *r. */
int rbb_pipe_run(const struct rbb_opts *o, int policy, struct rbb_pipe_result *r);

#endif
