"""10,000 individual papers for one tier from a synthetic 5,000-question bank, every cap on, at the
default policy's expected-score band (±0.5: every paper within one expected point of the others).

Synthetic: the bank is made here and never shipped. Prints papers/s, the share of papers the
independent validator passes, the sitting's expected-score spread and question use, and the ratio
of the time to a same-run baseline drawing the same number of unconstrained random.sample sets of
47 questions. Targets: ≥ 5,000 papers/s; ratio ≤ 10. The machine may be shared: the figures are
the best of three runs, and the CPU time of this process is printed beside the wall-clock time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import sys
import time

from _common import best_of, peak_mb

from gradecli.domain.assembly import Blueprint, assemble_sitting, sitting_spread, validate_paper
from gradecli.domain.bank import Question
from gradecli.domain.policy import Policy
from gradecli.services.context import bulk_work

PAPERS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
RUNS = 3
PER_TIER = 5_000
TIER = 3
AREAS = ["岗位职责", "服务规范与礼仪", "投诉处理", "等级制度", "安全生产", "售后服务", "客户关系维护", "信息与档案"]
MIX = [("single", 2, 0.42), ("multiple", 3, 0.21), ("judge", 1, 0.21), ("fill", 2, 0.11), ("short", 5, 0.05)]


def synthetic_bank(rng: random.Random) -> list[Question]:
    qs = []
    n = 0
    for typ, pts, share in MIX:
        for _ in range(int(PER_TIER * share)):
            opts = tuple(f"选项{k}" for k in range(4)) if typ in ("single", "multiple") else ()
            ans = {"single": "A", "multiple": "AC", "judge": True, "fill": ("答",), "short": "要点"}[typ]
            qs.append(Question(qid=f"SYN-{n:05d}", tier=TIER, family="客服" if n % 5 else "common", type=typ,
                               stem=f"synthetic {n}", options=opts, answer=ans, points=pts,
                               difficulty=round(min(0.95, max(0.2, rng.gauss(0.70, 0.15))), 2),
                               areas=(AREAS[n % len(AREAS)],)))
            n += 1
    return qs


def main() -> None:
    rng = random.Random(7)
    bank = synthetic_bank(rng)
    bp = Blueprint.from_policy(Policy(), TIER, family="客服")
    histories = [set(rng.sample([q.qid for q in bank], 94)) for _ in range(PAPERS)]  # last 2 papers each

    def baseline() -> None:
        for _ in range(PAPERS):
            rng.sample(bank, 47)

    papers: list = []
    cpu = {"baseline": float("inf"), "assemble": float("inf")}

    def on_cpu(name, step):  # noqa: ANN001, ANN202
        def timed() -> None:
            t0 = time.process_time()
            step()
            cpu[name] = min(cpu[name], time.process_time() - t0)
        return timed

    def assemble() -> None:
        with bulk_work():  # as `paper generate` and `cycle issue-papers` run it
            papers[:] = assemble_sitting(bank, bp, "客服", "bench", count=PAPERS, histories=histories)

    # Best of three for each side, taken in turns, so a burst of other work on the machine
    # (which shows in one run, not in all three) moves neither figure.
    base, elapsed = best_of(on_cpu("baseline", baseline), on_cpu("assemble", assemble), runs=RUNS)
    prof = cProfile.Profile()  # a second, smaller run under the profiler: where the time goes
    prof.enable()
    assemble_sitting(bank, bp, "客服", "profile", count=min(PAPERS, 2000), histories=histories)
    prof.disable()
    # checked again afterwards, each paper on its own and the sitting as a whole
    valid = sum(1 for p, seen in zip(papers, histories) if not validate_paper(p, bp, avoid=seen))
    spread = sitting_spread(papers)
    low, high, width = spread.shown()
    print(f"papers: {PAPERS:,} individual papers, tier {TIER}, synthetic bank of {len(bank):,} questions, "
          f"exposure (last 2 papers) + 50 % sitting cap + areas + expected-score band "
          f"{bp.target:g} ± {bp.tolerance:g} (the default policy) on")
    print(f"papers: {PAPERS / elapsed:,.0f} papers/s ({elapsed:.2f} s); validator passes {valid / PAPERS:.1%}; "
          f"baseline random.sample ×{PAPERS:,} {base:.3f} s; best of {RUNS} each; ratio {elapsed / base:.1f} "
          f"(targets ≥ 5,000 papers/s, ratio ≤ 10); peak memory {peak_mb():.0f} MB")
    print(f"papers: on CPU time (this process only): {PAPERS / cpu['assemble']:,.0f} papers/s, "
          f"ratio {cpu['assemble'] / cpu['baseline']:.1f}")
    print(f"papers: spread — expected scores {low}–{high}, spread {width} points (target ≤ {2 * bp.tolerance:g}); "
          f"a question is on at most {spread.max_use:,} papers (cap {bp.sitting_cap(PAPERS):,}), "
          f"{spread.mean_use:.1f} on average over the {spread.questions:,} questions used")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(6)
    top = [ln for ln in out.getvalue().splitlines() if ln.strip() and ln.strip()[0].isdigit()][:6]
    print("papers: where the time goes (tottime, s):")
    for ln in top:
        print("   ", ln.strip())


if __name__ == "__main__":
    main()
