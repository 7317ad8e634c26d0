"""The compiled (numba) kernels of the search: incremental evaluation, tabu search,
perturbation, construction and crossover.

One concern, kept in one module although it is long: the kernels share one data layout
(the arrays of `solver.model._Model` and `solver.search._Search`) and call each other, and
numba compiles and caches them per module; splitting them would scatter that layout over
files without making any piece readable on its own. Every move or swap is evaluated in
O(1) from valT (valT[g, v] = P[v, g] + w_g * sum of d[v, u] over u in g) and applied in O(n).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _seed(seed):
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def _fits(u, h, vout, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
    if w[h] == 0.0:
        return True
    if capk >= 0:
        for t in range(cat_ptr[u], cat_ptr[u + 1]):
            c = cat_id[t]
            k = cnt[h, c] + cat_cnt[t]
            if vout >= 0:
                for r in range(cat_ptr[vout], cat_ptr[vout + 1]):
                    if cat_id[r] == c:
                        k -= cat_cnt[r]
            if k > capk:
                return False
    k = A[u, h]
    if k > 0 and vout >= 0:
        for t in range(ap_ptr[u], ap_ptr[u + 1]):
            if ap_idx[t] == vout:
                k -= 1
    return k <= 0


@njit(cache=True, nogil=True)
def _rebuild(d, w, P, s, a, sz, valT, own, members, msize, pos, cnt, A,
             cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx):
    N = a.shape[0]
    m = sz.shape[0]
    sz[:] = 0
    msize[:] = 0
    cnt[:, :] = 0
    A[:, :] = 0
    for k in range(m):
        for v in range(N):
            valT[k, v] = P[v, k]
    for u in range(N):
        g = a[u]
        sz[g] += s[u]
        members[g, msize[g]] = u
        pos[u] = msize[g]
        msize[g] += 1
        wg = w[g]
        if wg != 0.0:
            for v in range(N):
                valT[g, v] += wg * d[u, v]
        for t in range(cat_ptr[u], cat_ptr[u + 1]):
            cnt[g, cat_id[t]] += cat_cnt[t]
        for t in range(ap_ptr[u], ap_ptr[u + 1]):
            A[ap_idx[t], g] += 1
    f = 0.0
    for u in range(N):
        own[u] = valT[a[u], u]
        f += 0.5 * (own[u] + P[u, a[u]])
    return f


@njit(cache=True, nogil=True)
def _move(u, h, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
          cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx):
    g = a[u]
    N = a.shape[0]
    wg = w[g]
    wh = w[h]
    for v in range(N):
        duv = d[u, v]
        valT[g, v] -= wg * duv
        valT[h, v] += wh * duv
    a[u] = h
    sz[g] -= s[u]
    sz[h] += s[u]
    i = pos[u]
    last = members[g, msize[g] - 1]
    members[g, i] = last
    pos[last] = i
    msize[g] -= 1
    members[h, msize[h]] = u
    pos[u] = msize[h]
    msize[h] += 1
    for t in range(cat_ptr[u], cat_ptr[u + 1]):
        cnt[g, cat_id[t]] -= cat_cnt[t]
        cnt[h, cat_id[t]] += cat_cnt[t]
    for t in range(ap_ptr[u], ap_ptr[u + 1]):
        A[ap_idx[t], g] -= 1
        A[ap_idx[t], h] += 1
    for k in range(msize[g]):
        v = members[g, k]
        own[v] = valT[g, v]
    for k in range(msize[h]):
        v = members[h, k]
        own[v] = valT[h, v]


@njit(cache=True, nogil=True)
def _cat_of(x, c, cat_ptr, cat_id, cat_cnt):
    for t in range(cat_ptr[x], cat_ptr[x + 1]):
        if cat_id[t] == c:
            return cat_cnt[t]
    return 0


@njit(cache=True, nogil=True)
def _apart(x, y, ap_ptr, ap_idx):
    for t in range(ap_ptr[x], ap_ptr[x + 1]):
        if ap_idx[t] == y:
            return True
    return False


@njit(cache=True, nogil=True)
def _fits_group(inn, nin, out, nout, h, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
    """Whether group h keeps its category cap and apart pairs when the nodes inn[:nin] enter
    it and out[:nout] leave it."""
    if w[h] == 0.0:
        return True
    if capk >= 0:
        for i in range(nin):
            x = inn[i]
            for t in range(cat_ptr[x], cat_ptr[x + 1]):
                c = cat_id[t]
                k = cnt[h, c]
                for j in range(nin):
                    k += _cat_of(inn[j], c, cat_ptr, cat_id, cat_cnt)
                for j in range(nout):
                    k -= _cat_of(out[j], c, cat_ptr, cat_id, cat_cnt)
                if k > capk:
                    return False
    for i in range(nin):
        x = inn[i]
        k = A[x, h]
        for j in range(nout):
            if _apart(x, out[j], ap_ptr, ap_idx):
                k -= 1
        for j in range(nin):
            if j != i and _apart(x, inn[j], ap_ptr, ap_idx):
                k += 1
        if k > 0:
            return False
    return True


@njit(cache=True, nogil=True)
def _compound_allowed(u, g, h, cset, nc, no_aspiration, it, tabu, general, one, w, cnt, capk,
                      cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
    """Whether unit u (g -> h) may trade places with cset[:nc] (h -> g): not tabu unless it
    beats the best (aspiration), and both groups keep their caps and apart pairs."""
    if no_aspiration:
        if tabu[u, h] > it:
            return False
        for i in range(nc):
            if tabu[cset[i], g] > it:
                return False
    if general:
        one[0] = u
        if not _fits_group(one, 1, cset, nc, h, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            return False
        if not _fits_group(cset, nc, one, 1, g, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            return False
    return True


@njit(cache=True, nogil=True)
def _tabu_search(d, w, P, s, lo, up, a, sz, valT, own, members, msize, pos, cnt, A, capk,
                 cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx, tabu, cT, Mx, best_a, fs, its,
                 max_iter, L, tmin, trange, dmin, general, can_move, compound):
    """Run at most max_iter tabu iterations; fs = [f, best f], its = [iteration, non-improving].

    Neighbourhoods: move one node, swap two nodes, and (when `compound`) swap a unit for a
    few smaller nodes of the same total size, which is how a colleague pair changes group
    when every group is full.

    Returns the number of iterations done; the run is over when its[1] >= L.
    """
    N = a.shape[0]
    m = sz.shape[0]
    eps = 1e-9
    done = 0
    K = 6
    ks = np.empty(K)
    kv = np.empty(K, dtype=np.int64)
    cset = np.empty(K, dtype=np.int64)
    bset = np.empty(K, dtype=np.int64)
    one = np.empty(1, dtype=np.int64)
    while done < max_iter and its[1] < L:
        it = its[0]
        f = fs[0]
        fbest = fs[1]
        for k in range(m):
            for v in range(N):
                cT[k, v] = valT[k, v] - own[v]
        best = -1e300
        nt = 0
        bu = -1
        bv = -1
        bh = -1
        if can_move:
            for u in range(N):
                g = a[u]
                if sz[g] - s[u] < lo[g]:
                    continue
                for h in range(m):
                    if h == g or sz[h] + s[u] > up[h]:
                        continue
                    delta = cT[h, u]
                    if delta < best:
                        continue
                    if tabu[u, h] > it and f + delta <= fbest + eps:
                        continue
                    if general and not _fits(u, h, -1, w, cnt, capk, cat_ptr, cat_id, cat_cnt,
                                             A, ap_ptr, ap_idx):
                        continue
                    if delta > best:
                        best = delta
                        nt = 1
                        bu = u
                        bv = -1
                        bh = h
                    else:
                        nt += 1
                        if np.random.randint(nt) == 0:
                            bu = u
                            bv = -1
                            bh = h
        for k in range(m):
            for g in range(m):
                Mx[k, g] = -np.inf
        for v in range(N):
            g = a[v]
            for k in range(m):
                if cT[k, v] > Mx[k, g]:
                    Mx[k, g] = cT[k, v]
        for g in range(m):
            for h in range(g + 1, m):
                wgh = w[g] + w[h]
                slack = -wgh * dmin
                if Mx[h, g] + Mx[g, h] + slack < best:
                    continue
                bound_v = Mx[g, h] + slack
                for iu in range(msize[g]):
                    u = members[g, iu]
                    gu = cT[h, u]
                    if gu + bound_v < best:
                        continue
                    du = d[u]
                    for iv in range(msize[h]):
                        v = members[h, iv]
                        delta = gu + cT[g, v] - wgh * du[v]
                        if delta < best:
                            continue
                        if s[u] != s[v]:
                            dg = s[v] - s[u]
                            if sz[g] + dg < lo[g] or sz[g] + dg > up[g]:
                                continue
                            if sz[h] - dg < lo[h] or sz[h] - dg > up[h]:
                                continue
                        if (tabu[u, h] > it or tabu[v, g] > it) and f + delta <= fbest + eps:
                            continue
                        if general:
                            if not _fits(u, h, v, w, cnt, capk, cat_ptr, cat_id, cat_cnt,
                                         A, ap_ptr, ap_idx):
                                continue
                            if not _fits(v, g, u, w, cnt, capk, cat_ptr, cat_id, cat_cnt,
                                         A, ap_ptr, ap_idx):
                                continue
                        if delta > best:
                            best = delta
                            nt = 1
                            bu = u
                            bv = v
                            bh = h
                            nb = 0
                        else:
                            nt += 1
                            if np.random.randint(nt) == 0:
                                bu = u
                                bv = v
                                bh = h
                                nb = 0
        nb = 0
        if compound:
            for u in range(N):
                if s[u] < 2:
                    continue
                g = a[u]
                for h in range(m):
                    if h == g or P[u, h] == -np.inf:
                        continue
                    wgh = w[g] + w[h]
                    du = d[u]
                    nk = 0
                    for iv in range(msize[h]):
                        v = members[h, iv]
                        if s[v] >= s[u]:
                            continue
                        sc = cT[g, v] - wgh * du[v]
                        if nk == K and sc <= ks[K - 1]:
                            continue
                        j = nk if nk < K else K - 1
                        while j > 0 and ks[j - 1] < sc:
                            ks[j] = ks[j - 1]
                            kv[j] = kv[j - 1]
                            j -= 1
                        ks[j] = sc
                        kv[j] = v
                        if nk < K:
                            nk += 1
                    base = cT[h, u]
                    if s[u] == 2:
                        # two singles: the common colleague pair
                        for i in range(nk):
                            for j in range(i + 1, nk):
                                delta = base + ks[i] + ks[j] + wgh * d[kv[i], kv[j]]
                                if delta < best:
                                    continue
                                cset[0] = kv[i]
                                cset[1] = kv[j]
                                if not _compound_allowed(u, g, h, cset, 2, f + delta <= fbest + eps, it, tabu,
                                                         general, one, w, cnt, capk, cat_ptr, cat_id, cat_cnt,
                                                         A, ap_ptr, ap_idx):
                                    continue
                                if delta > best:
                                    best = delta
                                    nt = 1
                                else:
                                    nt += 1
                                    if np.random.randint(nt) != 0:
                                        continue
                                bu = u
                                bv = -1
                                bh = h
                                nb = 2
                                bset[0] = cset[0]
                                bset[1] = cset[1]
                        continue
                    for mask in range(1, 1 << nk):
                        total = 0
                        nc = 0
                        delta = base
                        for i in range(nk):
                            if (mask >> i) & 1:
                                total += s[kv[i]]
                                delta += ks[i]
                                cset[nc] = kv[i]
                                nc += 1
                        if total != s[u] or nc < 2:
                            continue
                        for i in range(nc):
                            for j in range(i + 1, nc):
                                delta += wgh * d[cset[i], cset[j]]
                        if delta < best:
                            continue
                        if not _compound_allowed(u, g, h, cset, nc, f + delta <= fbest + eps, it, tabu,
                                                 general, one, w, cnt, capk, cat_ptr, cat_id, cat_cnt,
                                                 A, ap_ptr, ap_idx):
                            continue
                        if delta > best:
                            best = delta
                            nt = 1
                        else:
                            nt += 1
                            if np.random.randint(nt) != 0:
                                continue
                        bu = u
                        bv = -1
                        bh = h
                        nb = nc
                        bset[:nc] = cset[:nc]
        done += 1
        its[0] = it + 1
        if bu < 0:
            its[1] = L
            break
        g = a[bu]
        _move(bu, bh, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
              cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx)
        tabu[bu, g] = it + tmin + np.random.randint(trange + 1)
        if bv >= 0:
            _move(bv, g, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
                  cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx)
            tabu[bv, bh] = it + tmin + np.random.randint(trange + 1)
        for i in range(nb):
            _move(bset[i], g, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
                  cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx)
            tabu[bset[i], bh] = it + tmin + np.random.randint(trange + 1)
        f += best
        fs[0] = f
        if f > fbest + eps:
            fs[1] = f
            best_a[:] = a
            its[1] = 0
        else:
            its[1] += 1
    return done


@njit(cache=True, nogil=True)
def _perturb(strength, d, w, P, s, lo, up, a, sz, valT, own, members, msize, pos, cnt, A, capk,
             cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx, can_move, move_prob):
    """Apply `strength` random feasible swaps (or moves, when sizes allow)."""
    N = a.shape[0]
    m = sz.shape[0]
    if m < 2:
        return
    done = 0
    tries = 0
    while done < strength and tries < 50 * strength + 100:
        tries += 1
        u = np.random.randint(N)
        g = a[u]
        if can_move and np.random.random() < move_prob:
            h = np.random.randint(m)
            if h == g or P[u, h] == -np.inf:
                continue
            if sz[g] - s[u] < lo[g] or sz[h] + s[u] > up[h]:
                continue
            if not _fits(u, h, -1, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
                continue
            _move(u, h, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
                  cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx)
            done += 1
            continue
        v = np.random.randint(N)
        h = a[v]
        if h == g or P[u, h] == -np.inf or P[v, g] == -np.inf:
            continue
        dg = s[v] - s[u]
        if dg != 0:
            if sz[g] + dg < lo[g] or sz[g] + dg > up[g] or sz[h] - dg < lo[h] or sz[h] - dg > up[h]:
                continue
        if not _fits(u, h, v, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            continue
        if not _fits(v, g, u, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            continue
        _move(u, h, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
              cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx)
        _move(v, g, d, w, s, a, sz, valT, own, members, msize, pos, cnt, A,
              cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx)
        done += 1


@njit(cache=True, nogil=True)
def _construct(a, order, randomize, budget, d, w, P, s, lo, up, capk, ncat,
               cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx):
    """Complete the partial assignment `a` (-1 = open) for the nodes in `order`.

    Depth-first search with backtracking: groups are tried best gain first (or in random
    order), with pruning on minimum sizes. Returns True when every node was placed.
    """
    N = a.shape[0]
    m = lo.shape[0]
    K = order.shape[0]
    sz = np.zeros(m, dtype=np.int64)
    cnt = np.zeros((m, ncat), dtype=np.int64)
    A = np.zeros((N, m), dtype=np.int64)
    val = P.copy()
    for u in range(N):
        g = a[u]
        if g < 0:
            continue
        sz[g] += s[u]
        for t in range(cat_ptr[u], cat_ptr[u + 1]):
            cnt[g, cat_id[t]] += cat_cnt[t]
        for t in range(ap_ptr[u], ap_ptr[u + 1]):
            A[ap_idx[t], g] += 1
        if w[g] != 0.0:
            for v in range(N):
                val[v, g] += w[g] * d[u, v]
    remaining = 0
    for t in range(K):
        remaining += s[order[t]]
    deficit = 0
    for g in range(m):
        if lo[g] > sz[g]:
            deficit += lo[g] - sz[g]
    if K == 0:
        return deficit == 0
    cand = np.empty((K, m), dtype=np.int64)
    nc = np.zeros(K, dtype=np.int64)
    ci = np.zeros(K, dtype=np.int64)
    keys = np.empty(m)
    depth = 0
    steps = 0
    enter = True
    while True:
        steps += 1
        if steps > budget:
            return False
        u = order[depth]
        if enter:
            k = 0
            for h in range(m):
                if P[u, h] == -np.inf or sz[h] + s[u] > up[h]:
                    continue
                fill = lo[h] - sz[h]
                if fill < 0:
                    fill = 0
                if fill > s[u]:
                    fill = s[u]
                if deficit - fill > remaining - s[u]:
                    continue
                if not _fits(u, h, -1, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
                    continue
                cand[depth, k] = h
                keys[k] = np.random.random() if randomize else -val[u, h] + 1e-9 * np.random.random()
                k += 1
            idx = np.argsort(keys[:k])
            tmp = cand[depth, :k].copy()
            for t in range(k):
                cand[depth, t] = tmp[idx[t]]
            nc[depth] = k
            ci[depth] = 0
            enter = False
        if ci[depth] < nc[depth]:
            h = cand[depth, ci[depth]]
            ci[depth] += 1
            fill = lo[h] - sz[h]
            if fill < 0:
                fill = 0
            if fill > s[u]:
                fill = s[u]
            deficit -= fill
            remaining -= s[u]
            a[u] = h
            sz[h] += s[u]
            for t in range(cat_ptr[u], cat_ptr[u + 1]):
                cnt[h, cat_id[t]] += cat_cnt[t]
            for t in range(ap_ptr[u], ap_ptr[u + 1]):
                A[ap_idx[t], h] += 1
            if w[h] != 0.0:
                for v in range(N):
                    val[v, h] += w[h] * d[u, v]
            depth += 1
            if depth == K:
                return True
            enter = True
        else:
            depth -= 1
            if depth < 0:
                return False
            u = order[depth]
            h = a[u]
            a[u] = -1
            sz[h] -= s[u]
            remaining += s[u]
            fill = lo[h] - sz[h]
            if fill < 0:
                fill = 0
            if fill > s[u]:
                fill = s[u]
            deficit += fill
            for t in range(cat_ptr[u], cat_ptr[u + 1]):
                cnt[h, cat_id[t]] -= cat_cnt[t]
            for t in range(ap_ptr[u], ap_ptr[u + 1]):
                A[ap_idx[t], h] -= 1
            if w[h] != 0.0:
                for v in range(N):
                    val[v, h] -= w[h] * d[u, v]


@njit(cache=True, nogil=True)
def _consensus(pa, pb, m, child):
    """Relabel parent b onto parent a by greedy maximum overlap; keep the agreed nodes."""
    N = pa.shape[0]
    overlap = np.zeros((m, m), dtype=np.int64)
    for u in range(N):
        overlap[pa[u], pb[u]] += 1
    perm = np.full(m, -1, dtype=np.int64)
    used = np.zeros(m, dtype=np.bool_)
    for _ in range(m):
        bi = -1
        bj = -1
        bo = -1
        for i in range(m):
            if used[i]:
                continue
            for j in range(m):
                if perm[j] < 0 and overlap[i, j] > bo:
                    bo = overlap[i, j]
                    bi = i
                    bj = j
        used[bi] = True
        perm[bj] = bi
    kept = 0
    for u in range(N):
        if perm[pb[u]] == pa[u]:
            child[u] = pa[u]
            kept += 1
        else:
            child[u] = -1
    return kept



@njit(cache=True, nogil=True)
def _neighbourhood(u, d, w, P, ok, s, lo, up, a, sz, valT, own, cnt, A, capk,
                   cat_ptr, cat_id, cat_cnt, ap_ptr, ap_idx, move, swap):
    """The objective change of every single step of node u: move[h] for moving it to group
    h (0 where it is, -inf where the step breaks a hard rule), swap[v] for trading places
    with node v (-inf for nodes in u's own group or when a rule breaks). `ok` says where a
    node is allowed; P holds the values everywhere, also where the node is not allowed now."""
    N = a.shape[0]
    m = sz.shape[0]
    g = a[u]
    for h in range(m):
        move[h] = -np.inf
        if h == g:
            move[h] = 0.0
            continue
        if not ok[u, h] or sz[g] - s[u] < lo[g] or sz[h] + s[u] > up[h]:
            continue
        if not _fits(u, h, -1, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            continue
        move[h] = valT[h, u] - own[u]
    for v in range(N):
        swap[v] = -np.inf
        h = a[v]
        if h == g or not ok[u, h] or not ok[v, g]:
            continue
        dg = s[v] - s[u]
        if dg != 0 and (sz[g] + dg < lo[g] or sz[g] + dg > up[g] or sz[h] - dg < lo[h] or sz[h] - dg > up[h]):
            continue
        if not _fits(u, h, v, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            continue
        if not _fits(v, g, u, w, cnt, capk, cat_ptr, cat_id, cat_cnt, A, ap_ptr, ap_idx):
            continue
        swap[v] = (valT[h, u] - own[u]) + (valT[g, v] - own[v]) - (w[g] + w[h]) * d[u, v]
