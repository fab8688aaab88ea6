"""Exact integer minimum-cost flow for phase unwrapping (numba, no GIL).

The unwrapping networks of :mod:`.unwrap` (the dual of the pixel grid,
Costantini 1998, or the dual of a Delaunay triangulation, Costantini & Rosen
1999) are *uncapacitated* in both directions: every undirected edge ``e``
between nodes ``A[e]`` and ``B[e]`` may carry any integer net flow ``f[e]``
(positive = from A to B) at a unit cost ``cpos[e]`` for positive flow and
``cneg[e]`` for negative flow.  Node ``v`` has a supply ``supply[v]`` (the
residue charge; one extra node is the earth/ground), and the supplies sum
to zero.  We minimise ``sum_e cpos[e]*max(f,0) + cneg[e]*max(-f,0)``.

Algorithm: primal-dual successive shortest paths with node potentials
(Ahuja, Magnanti & Orlin 1993, ch. 9).  Each *phase*

1. runs one multi-source Dijkstra (indexed binary heap) on reduced costs
   from every node with positive excess at once, and stops at the first node
   with negative excess (distance ``D``);
2. updates the potentials of the settled nodes only (``p[v] -= D - d[v]``,
   which equals the textbook ``p + min(d, D)`` up to a constant), so the cost
   of a phase is proportional to the area it explored, not to the graph;
3. pushes as many augmenting paths as it finds in the admissible (zero
   reduced cost) subgraph with a depth-first search with current-arc pointers
   and dead-end marks (a blocking-flow step as in Dinic's algorithm).

Many residues are therefore cancelled per Dijkstra, and no array of the size
of the graph is reset between phases (phase stamps instead).  Costs are
non-negative integers (``int32``), potentials and distances ``int64``; the
result is an exact optimum of the integer problem (complementary slackness
holds at every step).
"""
from __future__ import annotations

import numpy as np

from ._numba import njit

INF = np.int64(1) << np.int64(60)


@njit(cache=True, nogil=True)
def _heap_push(hk, hv, pos, size, key, v):
    # insert or decrease-key of node v in the indexed binary heap
    i = pos[v]
    if i < 0:
        i = size
        size += 1
    elif hk[i] <= key:
        return size
    # sift up
    while i > 0:
        parent = (i - 1) >> 1
        if hk[parent] <= key:
            break
        hk[i] = hk[parent]
        hv[i] = hv[parent]
        pos[hv[i]] = i
        i = parent
    hk[i] = key
    hv[i] = v
    pos[v] = i
    return size


@njit(cache=True, nogil=True)
def _heap_pop(hk, hv, pos, size):
    # remove the root; returns new size (root read by the caller before)
    top = hv[0]
    pos[top] = -1
    size -= 1
    if size == 0:
        return size
    key = hk[size]
    v = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[c] >= key:
            break
        hk[i] = hk[c]
        hv[i] = hv[c]
        pos[hv[i]] = i
        i = c
    hk[i] = key
    hv[i] = v
    pos[v] = i
    return size


@njit(cache=True, nogil=True)
def _residual(e, u, A, B, cpos, cneg, flow):
    # (target, cost, capacity) of the residual arc leaving u along edge e
    big = np.int64(1) << np.int64(40)
    if A[e] == u:
        f = flow[e]
        if f >= 0:
            return B[e], np.int64(cpos[e]), big
        return B[e], -np.int64(cneg[e]), np.int64(-f)
    f = flow[e]
    if f <= 0:
        return A[e], np.int64(cneg[e]), big
    return A[e], -np.int64(cpos[e]), np.int64(f)


@njit(cache=True, nogil=True)
def _mcf_kernel(n, A, B, cpos, cneg, supply, flow, max_phases):
    m = A.shape[0]
    # CSR adjacency (node -> incident edges)
    deg = np.zeros(n + 1, np.int64)
    for e in range(m):
        if A[e] != B[e]:
            deg[A[e] + 1] += 1
            deg[B[e] + 1] += 1
    for v in range(n):
        deg[v + 1] += deg[v]
    start = deg
    adj = np.empty(start[n], np.int32)
    fill = start[:n].copy()
    for e in range(m):
        if A[e] != B[e]:
            adj[fill[A[e]]] = e
            fill[A[e]] += 1
            adj[fill[B[e]]] = e
            fill[B[e]] += 1

    excess = supply.astype(np.int64).copy()
    pot = np.zeros(n, np.int64)
    dist = np.zeros(n, np.int64)
    dstamp = np.zeros(n, np.int32)      # dist valid when == phase
    sstamp = np.zeros(n, np.int32)      # settled in this phase
    pos = -np.ones(n, np.int64)
    hk = np.empty(n, np.int64)
    hv = np.empty(n, np.int64)
    settled = np.empty(n, np.int64)
    cur = np.zeros(n, np.int64)         # current-arc pointer (valid when cstamp == phase)
    cstamp = np.zeros(n, np.int32)
    dead = np.zeros(n, np.int32)        # dead-end in this phase when == phase
    onstack = np.zeros(n, np.uint8)
    stack = np.empty(n + 1, np.int64)
    pedge = np.empty(n + 1, np.int64)

    sources = np.empty(n, np.int64)
    ns = 0
    for v in range(n):
        if excess[v] > 0:
            sources[ns] = v
            ns += 1
    phase = 0
    total_aug = 0
    while ns > 0:
        phase += 1
        if phase > max_phases:
            return -1, phase, total_aug
        # ---- 1. multi-source Dijkstra on reduced costs, stop at first deficit
        size = 0
        for i in range(ns):
            s = sources[i]
            dist[s] = 0
            dstamp[s] = phase
            size = _heap_push(hk, hv, pos, size, np.int64(0), s)
        nset = 0
        D = np.int64(-1)
        while size > 0:
            u = hv[0]
            du = hk[0]
            size = _heap_pop(hk, hv, pos, size)
            sstamp[u] = phase
            settled[nset] = u
            nset += 1
            if excess[u] < 0:
                D = du
                break
            for k in range(start[u], start[u + 1]):
                e = adj[k]
                w, c, cap = _residual(e, u, A, B, cpos, cneg, flow)
                if cap <= 0 or sstamp[w] == phase:
                    continue
                rc = c + pot[u] - pot[w]
                if rc < 0:
                    rc = 0  # cannot happen for an optimal-so-far flow; guard
                nd = du + rc
                if dstamp[w] != phase or nd < dist[w]:
                    dist[w] = nd
                    dstamp[w] = phase
                    size = _heap_push(hk, hv, pos, size, nd, w)
        # empty the heap (reset positions)
        for i in range(size):
            pos[hv[i]] = -1
        if D < 0:
            return -2, phase, total_aug   # no path to a deficit: infeasible
        # ---- 2. potentials of settled nodes
        for i in range(nset):
            v = settled[i]
            if dist[v] < D:
                pot[v] -= D - dist[v]
        # ---- 3. augment along admissible (zero reduced cost) paths
        for i in range(ns):
            s = sources[i]
            while excess[s] > 0 and dead[s] != phase:
                # iterative DFS from s
                top = 0
                stack[0] = s
                onstack[s] = 1
                found = False
                while top >= 0:
                    u = stack[top]
                    if excess[u] < 0 and top > 0:
                        found = True
                        break
                    if cstamp[u] != phase:
                        cstamp[u] = phase
                        cur[u] = start[u]
                    advanced = False
                    while cur[u] < start[u + 1]:
                        e = adj[cur[u]]
                        w, c, cap = _residual(e, u, A, B, cpos, cneg, flow)
                        if cap > 0 and onstack[w] == 0 and dead[w] != phase and c + pot[u] - pot[w] == 0:
                            top += 1
                            stack[top] = w
                            pedge[top] = e
                            onstack[w] = 1
                            advanced = True
                            break
                        cur[u] += 1
                    if not advanced:
                        dead[u] = phase
                        onstack[u] = 0
                        top -= 1
                        if top >= 0:
                            cur[stack[top]] += 1
                if found:
                    t = stack[top]
                    amt = min(excess[s], -excess[t])
                    for j in range(1, top + 1):
                        e = pedge[j]
                        u = stack[j - 1]
                        w, c, cap = _residual(e, u, A, B, cpos, cneg, flow)
                        if cap < amt:
                            amt = cap
                    for j in range(1, top + 1):
                        e = pedge[j]
                        u = stack[j - 1]
                        if A[e] == u:
                            flow[e] += amt
                        else:
                            flow[e] -= amt
                    excess[s] -= amt
                    excess[t] += amt
                    total_aug += 1
                for j in range(top + 1):
                    onstack[stack[j]] = 0
                if not found:
                    break
        # ---- keep the sources that still have excess
        k = 0
        for i in range(ns):
            if excess[sources[i]] > 0:
                sources[k] = sources[i]
                k += 1
        ns = k
    return 0, phase, total_aug


def min_cost_flow(n_nodes, a, b, cost_pos, cost_neg, supply, *, max_phases=10_000_000):
    """Solve the uncapacitated bidirectional integer min-cost-flow problem.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    a, b : (m,) int array
        End nodes of each undirected edge (positive flow goes from ``a`` to ``b``).
    cost_pos, cost_neg : (m,) int array
        Non-negative integer unit costs of positive and negative flow.
    supply : (n_nodes,) int array
        Node supplies (positive = source); must sum to zero.

    Returns
    -------
    flow : (m,) int32 array
        Optimal signed integer flow on every edge.
    stats : dict
        ``phases`` (Dijkstra runs) and ``augmentations``.
    """
    a = np.ascontiguousarray(a, dtype=np.int32)
    b = np.ascontiguousarray(b, dtype=np.int32)
    cp = np.ascontiguousarray(cost_pos, dtype=np.int32)
    cn = np.ascontiguousarray(cost_neg, dtype=np.int32)
    sup = np.ascontiguousarray(supply, dtype=np.int64)
    n = int(n_nodes)
    if a.shape != b.shape or cp.shape != a.shape or cn.shape != a.shape:
        raise ValueError("edges: a, b, cost_pos and cost_neg must have the same length")
    if sup.shape != (n,):
        raise ValueError(f"supply: expected shape ({n},), got {sup.shape}")
    if a.size and (a.min() < 0 or b.min() < 0 or a.max() >= n or b.max() >= n):
        raise ValueError("edges: node index out of range")
    if (cp < 0).any() or (cn < 0).any():
        raise ValueError("costs: must be non-negative")
    if int(sup.sum()) != 0:
        raise ValueError(f"supply: must sum to zero, sums to {int(sup.sum())}")
    flow = np.zeros(a.shape[0], np.int32)
    status, phases, naug = _mcf_kernel(n, a, b, cp, cn, sup, flow, np.int64(max_phases))
    if status == -2:
        raise ValueError("network: some residues cannot reach a node of opposite charge (disconnected network)")
    if status == -1:
        raise RuntimeError("min-cost flow: phase limit reached")
    return flow, {"phases": int(phases), "augmentations": int(naug)}
