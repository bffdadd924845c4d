"""The sample organisation and the whole story, run through the same services as the commands.

Everything is generated from a fixed seed, written as the Excel sheets an HR office would
exchange, and imported from those files — so the demo exercises the real import path.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from gradecli.domain.ladder import Grade
from gradecli.formats.excel import SheetOut, write_workbook
from gradecli.formats.sheets import grade_columns, performance_columns, roster_columns
from gradecli.i18n import Msg, N_, _, language, render
from gradecli.services.context import Context

SEED = 20261126
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲婷雪琳晨宇浩然子轩欣怡梓涵思远嘉琪佳慧文博海燕志刚建国红梅"

# The article's organisation: a maritime-safety centre (航海保障中心) whose professional-technical
# staff build and keep aids to navigation, survey ports and channels, and run maritime safety
# communications — mostly in front-line field teams — plus a customer-service desk.
# family → departments, posts (name, front-line)
ORG = {
    "航标": (["航标处", "航标一队", "航标二队"],
             [("航标维护", True), ("航标巡检", True), ("航标船作业", True), ("航标设计", False)]),
    "测量": (["测量一队", "测量二队", "数据处理中心"],
             [("外业测量", True), ("扫海测量", True), ("内业数据处理", False)]),
    "通信": (["通信中心", "海岸电台"],
             [("岸台值守", True), ("通信设备维护", True), ("海上安全信息播发", False)]),
    "客服": (["客户服务中心"], [("热线客服", False), ("现场服务", True)]),
}
FAMILY_WEIGHTS = [35, 25, 22, 18]
EMP_PREFIX = {"航标": "H", "测量": "C", "通信": "T", "客服": "K"}
NON_PROFESSIONAL_POSTS = [("行政文员", "综合办公室"), ("后勤保障", "综合办公室")]
TITLES_BY_SENIORITY = ["无", "初级", "初级", "中级", "中级", "副高级", "正高级"]
TITLES = ["无", "初级", "中级", "副高级", "正高级"]
# certificate → (family, lowest title of its holders) in the sample roster's 证书 column
SAMPLE_CERTIFICATES = {"航标作业证": ("航标", "初级"), "GMDSS通用操作员证书": ("通信", "初级"),
                       "海道测量员证书": ("测量", "中级"), "客服中级证书": ("客服", "中级")}
RATING_WEIGHTS = [("优秀", 15), ("良好", 40), ("合格", 35), ("基本合格", 7), ("不合格", 3)]


@dataclass
class DemoReport:
    out: Path
    steps: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_roster(rng: random.Random, today: date, size: int = 320) -> list[dict]:
    people = []
    families = list(ORG)
    for i in range(1, size + 1):
        professional = rng.random() > 0.08
        if professional:
            fam = rng.choices(families, weights=FAMILY_WEIGHTS)[0]
            dept = rng.choice(ORG[fam][0])
            post, frontline = rng.choice(ORG[fam][1])
        else:
            fam = "综合"
            post, dept = rng.choice(NON_PROFESSIONAL_POSTS)
            frontline = False
        years = rng.choices(range(0, 31), weights=[6] * 6 + [5] * 10 + [3] * 15)[0]
        start = today - timedelta(days=int(years * 365.25) + rng.randrange(60, 300))
        hire = start + timedelta(days=rng.choice((0, 0, 0, rng.randrange(30, 1500))))
        hire = max(start, min(hire, today - timedelta(days=40)))
        title = TITLES_BY_SENIORITY[min(len(TITLES_BY_SENIORITY) - 1, years // 5 + rng.choice((0, 0, 1)))]
        active = rng.random() > 0.03
        people.append({
            "emp_no": f"{EMP_PREFIX.get(fam, 'Z')}{i:04d}",
            "name": _name(rng), "department": dept, "family": fam, "post": post,
            "professional": "是" if professional else "否", "frontline": "是" if frontline else "否",
            "title": title, "service_start": start, "hire_date": hire, "active": "是" if active else "否",
            "leave_date": None if active else hire + (today - hire) * rng.randrange(50, 100) // 100,
        })
    for p in people:  # certificates follow the title (no draw, so the rest of the sample is unchanged)
        p["certificates"] = "、".join(c for c, (fam, title) in SAMPLE_CERTIFICATES.items()
                                     if p["family"] == fam and TITLES.index(p["title"]) >= TITLES.index(title))
    return people


def build_ratings(rng: random.Random, people: list[dict], years: list[int]) -> list[dict]:
    names, weights = zip(*RATING_WEIGHTS)
    rows = []
    for p in people:
        for y in years:
            if p["hire_date"].year > y:
                continue
            rating = rng.choices(names, weights=weights)[0]
            rows.append({"emp_no": p["emp_no"], "year": y, "rating": rating,
                         "disciplinary": "是" if rng.random() < 0.02 else "否"})
    return rows


def build_existing_grades(rng: random.Random, people: list[dict], levels: int, on: date) -> list[dict]:
    """About a third of the professional staff already hold a grade (an office that had one before)."""
    rows = []
    for p in people:
        if p["professional"] != "是" or rng.random() > 0.35:
            continue
        seniority = (on - p["service_start"]).days // 365
        tier = min(5, 1 + seniority // 6)
        rows.append({"emp_no": p["emp_no"], "tier": tier, "level": rng.randint(1, levels),
                     "effective": date(on.year - rng.randint(1, 3), rng.choice((1, 7)), 1)})
    return rows


def _write(path: Path, title: str, columns, rows: list[dict]) -> Path:  # noqa: ANN001
    """An input sheet as an office would fill it in: a title in the run's language (``title`` is an
    N_-marked msgid) and the bilingual import headers."""
    return write_workbook(path, [SheetOut(Msg(title), [c.header for c in columns],
                                          ([r.get(c.key) for c in columns] for r in rows))])


def run_cycle_to_scored(ctx: Context, kind: str, period: str, out: Path, rng: random.Random,
                        report: DemoReport, *, typo: bool = False) -> list[str]:
    """Create, register, issue papers, simulate the sitting, import answers and skill scores.

    With ``typo`` one assessor's score is keyed in one decimal place off (78.0 → 7.8), the kind
    of slip an objection brings to light."""
    from gradecli import simulate
    from gradecli.services import cycles, papers

    steps = []
    cdir = out / f"cycle-{period}"
    steps.append(cycles.create(ctx, kind=kind, period=period).summary)  # one cycle for every family
    cycles.eligibility(ctx, period, out=cdir / "eligibility.xlsx")
    steps.append(cycles.register(ctx, period, all_eligible=True, with_fast_track=True).summary)
    steps.append(cycles.issue_papers(ctx, period, seed=f"demo-{period}").summary)
    sheet = cycles.write_answer_sheet(ctx, period, cdir / "answer-sheet.xlsx").data["path"]
    regs = cycles.show(ctx, period).rows
    ability = {r["emp_no"]: rng.gauss(0.3, 0.8) for r in regs}
    absent = {regs[0]["emp_no"]} if len(regs) > 3 else set()
    with ctx.uow() as uow:
        cache = {p.row.code: p.items for p in papers.load_papers(uow.s, codes=[r["paper"] for r in regs]).values()}
    filled = cdir / "answer-sheet-filled.xlsx"
    simulate.fill_answer_sheet(Path(sheet), filled, cache.__getitem__, ability.__getitem__, rng, absent)
    steps.append(cycles.import_answers(ctx, period, filled).summary)
    skills = {e: simulate.skill_score(rng, a) for e, a in ability.items() if e not in absent}
    if typo:
        theory = {r["emp_no"]: r["theory"] for r in cycles.show(ctx, period).rows}
        slip = next(e for e in sorted(skills) if isinstance(theory.get(e), Decimal) and theory[e] >= 75)
        skills[slip] = 7.8
    skill_file = _write(cdir / "skill-scores.xlsx", N_("Skill scores"), cycles.SKILL_COLUMNS,
                        [{"emp_no": e, "skill": v} for e, v in skills.items()])
    steps.append(cycles.import_scores(ctx, period, skill_file, part="skill").summary)
    cycles.show(ctx, period, out=cdir / "scores.xlsx")
    report.files += [cdir / "eligibility.xlsx", Path(sheet), filled, skill_file, cdir / "scores.xlsx"]
    return steps


def evaluate_publish_close(ctx: Context, code: str, out: Path, report: DemoReport, *, publish_on: date,
                           close_on: date, appeal: bool = False) -> list[str]:
    """Evaluate, publish the notice, (optionally) take an objection that is upheld and corrected,
    publish the revised notice, and close after the window."""
    from gradecli.services import cycles, evaluation

    steps = []
    cdir = out / f"cycle-{code}"
    ctx.pretend_today = publish_on
    steps.append(evaluation.evaluate(ctx, code).title)
    published = evaluation.publish(ctx, code, out=cdir)
    steps.append(published.summary)
    report.files += [Path(f["file"]) for f in published.data["files"]]
    if appeal:
        rows = evaluation.results(ctx, code).rows
        # the candidate whose skill score was keyed wrongly objects; the assessors re-check it
        who = next((r for r in rows if r["skill"] == Decimal("7.8")), None)
        if who is not None:
            ctx.pretend_today = publish_on + timedelta(days=2)
            steps.append(evaluation.appeal(ctx, code, who["emp_no"], reason="实操考核成绩登记有误，申请复核").summary)
            ctx.pretend_today = publish_on + timedelta(days=3)
            steps.append(evaluation.resolve(ctx, code, who["emp_no"], uphold=True,
                                            note="复核考核记录，实操成绩应为 78.0").summary)
            fix = _write(cdir / "skill-correction.xlsx", N_("Skill scores"), cycles.SKILL_COLUMNS,
                         [{"emp_no": who["emp_no"], "skill": 78.0}])
            steps.append(cycles.import_scores(ctx, code, fix, part="skill").summary)
            steps.append(evaluation.evaluate(ctx, code).title)
            revised = evaluation.publish(ctx, code, out=cdir)
            steps.append(Msg("{summary}; changes: {changes}", summary=revised.summary, changes=revised.data["changes"]))
            report.files += [Path(f["file"]) for f in revised.data["files"]]
            close_on = max(close_on, date.fromisoformat(revised.data["window_ends"]) + timedelta(days=1))
    ctx.pretend_today = close_on
    steps.append(evaluation.close(ctx, code).summary)
    return steps


def sample_allowance_rows(levels: int, tiers: int, effective: date, raise_percent: int = 0) -> list[dict]:
    """A sample table for all families: 300 yuan at 1-1, +60 a level, +200 a tier."""
    rows = []
    for t in range(1, tiers + 1):
        for lv in range(1, levels + 1):
            amount = Decimal(300 + (t - 1) * 200 + (lv - 1) * 60) * (100 + raise_percent) / 100
            rows.append({"family": None, "tier": t, "level": lv, "amount": amount.quantize(Decimal("0.01")),
                         "effective": effective})
    return rows


def run_allowance(ctx: Context, out: Path, report: DemoReport, today: date) -> list[str]:
    """The sample table (and a raise from the new year), the months around the cycles, a
    back-dated correction and the arrears it causes."""
    from gradecli.services import allowance, grades

    steps = []
    lp = ctx.policy.ladder
    rows = (sample_allowance_rows(lp.levels_per_tier, lp.tiers, date(today.year - 2, 1, 1))
            + sample_allowance_rows(lp.levels_per_tier, lp.tiers, date(today.year + 1, 1, 1), raise_percent=5))
    table = _write(out / "inputs" / "allowance-table.xlsx", N_("Allowance table"), allowance.TABLE_COLUMNS, rows)
    steps.append(allowance.import_table(ctx, table).summary)
    adir = out / "allowance"
    months = [date(today.year, 12, 1), date(today.year + 1, 1, 1), date(today.year + 1, 2, 1)]
    for m in months:
        sheet = adir / f"payroll-{m:%Y-%m}.xlsx"
        steps.append(Msg("{title} → {file}", title=allowance.compute(ctx, month=m, out=sheet).title, file=sheet))
        report.files.append(sheet)
    # A grade keyed wrongly last year is corrected back to 10 December: the paid months change.
    graded = grades.as_of(ctx, date(today.year, 12, 10)).rows
    who = next(r for r in graded if r["level"] < lp.levels_per_tier and r["family"] == "测量")
    fixed = Grade(who["tier"], who["level"] + 1)
    ctx.pretend_today = date(today.year + 1, 2, 20)
    steps.append(grades.correct(ctx, who["emp_no"], to=fixed, on=date(today.year, 12, 10),
                                reason="2025 年度定级录入有误，经复核更正（补发津贴）").summary)
    sheet = adir / f"arrears-{months[0]:%Y-%m}-{months[-1]:%Y-%m}.xlsx"
    listing = allowance.arrears(ctx, start=months[0], end=months[-1], out=sheet)
    steps.append(Msg("{title} → {file}", title=listing.title, file=sheet))
    report.files.append(sheet)
    return steps


def run_reports(ctx: Context, out: Path, report: DemoReport, on: date) -> list[str]:
    """Every report, into out/reports, plus the calibration the sittings allow."""
    from gradecli.services import reports

    rdir = out / "reports"
    steps = []
    ctx.pretend_today = on
    made = [
        reports.pyramid(ctx, on=on, out=rdir / "pyramid.xlsx"),
        reports.pyramid(ctx, family="航标", on=on, out=rdir / "pyramid-航标.xlsx"),
        reports.cycle_report(ctx, str(on.year - 1), out=rdir / f"cycle-{on.year - 1}.xlsx"),
        reports.cycle_report(ctx, f"{on.year - 1}H2", out=rdir / f"cycle-{on.year - 1}H2.xlsx"),
        reports.items_report(ctx, f"{on.year - 1}H2", out=rdir / f"items-{on.year - 1}H2.xlsx"),
    ]
    steps += [m.title for m in made]
    calibration = reports.calibrate(ctx, f"{on.year - 1}H2", min_responses=3)
    steps.append(calibration.title)
    projection = reports.projection(ctx, years=5, attrition=0.05)
    reports.projection_xlsx(projection, rdir / "projection.xlsx")
    steps.append(projection.title)
    report.files += sorted(rdir.glob("*.xlsx"))
    ctx.pretend_today = None
    return steps


# What each file of the story is, by its name (the names are the demo's own); {code}, {n}, {month}…
# come from the name. The index shows these descriptions, in the run's language, and links the files.
FILE_DESCRIPTIONS = [
    (r"roster", N_("Staff roster")),
    (r"ratings", N_("Appraisal ratings")),
    (r"existing-grades", N_("Grades held before the grade system")),
    (r"allowance-table", N_("Allowance table")),
    (r"first-evaluation", N_("First placement (the preview)")),
    (r"eligibility", N_("Who may register")),
    (r"answer-sheet", N_("Answer sheet")),
    (r"answer-sheet-filled", N_("Answer sheet, filled in after the exam")),
    (r"skill-scores", N_("Skill scores")),
    (r"skill-correction", N_("Skill score corrected after an objection")),
    (r"scores", N_("Scores")),
    (r"notice-(?P<code>.+)-r(?P<n>\d+)", N_("Public notice of cycle {code}, revision {n}")),
    (r"payroll-(?P<month>\d{4}-\d{2})", N_("Grade allowance for {month}")),
    (r"arrears-(?P<start>\d{4}-\d{2})-(?P<end>\d{4}-\d{2})", N_("Arrears and clawbacks, {start} to {end}")),
    (r"grades-as-of", N_("Grades held after the story")),
    (r"pyramid", N_("Grade pyramid")),
    (r"pyramid-(?P<family>.+)", N_("Grade pyramid of {family}")),
    (r"cycle-(?P<code>.+)", N_("Cycle report {code}")),
    (r"items-(?P<code>.+)", N_("Question analysis of cycle {code}")),
    (r"projection", N_("Projection of the grade structure")),
    (r"(?P<code>P\d.*)-key", N_("Answer key of paper {code}")),
    (r"(?P<code>P\d.*)", N_("Paper {code}")),
]
FORMATS = {".xlsx": N_("Excel workbook"), ".html": N_("web page, to print")}
FOLDERS = [(r"\.", N_("In this folder")), (r"inputs", N_("Sheets from the office")), (r"papers", N_("Papers and answer keys")),
           (r"first-evaluation", N_("First placement")), (r"cycle-(?P<code>.+)", N_("Cycle {code}")),
           (r"allowance", N_("Grade allowance")), (r"reports", N_("Reports"))]


def _describe(name: str, table: list[tuple[str, str]]) -> Msg | str:
    """A file's or a folder's description from its name (the name itself when none fits)."""
    import re

    for pattern, msgid in table:
        m = re.fullmatch(pattern, name)
        if m:
            return Msg(msgid, **m.groupdict())
    return name


def write_index(out: Path, report: DemoReport) -> Path:
    """out/index.html: every sheet, notice and paper of the story, linked, with the steps; every
    word in the run's language."""
    import html

    groups: dict[str, list[Path]] = {}
    for f in sorted(set(report.files), key=str):
        if f.exists():
            rel = f.resolve().relative_to(out.resolve())
            groups.setdefault(str(rel.parent), []).append(rel)
    e = html.escape
    title = e(_("gradecli demo: a grade system for a maritime safety centre"))
    story = _("What happened")
    parts = [f"<h1>{title}</h1>", f"<h2>{e(story)}</h2><ol>"]
    # the steps name files by their paths: shown relative to this page, as its links are
    here = sorted({f"{out}/", f"{out.resolve()}/"}, key=len, reverse=True)

    def step(s) -> str:  # noqa: ANN001
        text = render(s)
        for prefix in here:
            text = text.replace(prefix, "")
        return text

    parts += [f"<li>{e(step(s))}</li>" for s in report.steps]
    parts.append("</ol>")
    for name, files in sorted(groups.items(), key=lambda g: (g[0] != ".", g[0])):
        parts.append(f"<h2>{e(render(_describe(name, FOLDERS)))}</h2><ul>")
        for f in files:
            kind = Msg("({format})", format=Msg(FORMATS[f.suffix]) if f.suffix in FORMATS else f.suffix)
            parts.append(f'<li><a href="{e(f.as_posix())}">{e(render(_describe(f.stem, FILE_DESCRIPTIONS)))}</a> '
                         f"{e(render(kind))}</li>")
        parts.append("</ul>")
    page = (f'<!DOCTYPE html><html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title>"
            '<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:60em;margin:2em auto}'
            'li{margin:.2em 0}</style></head><body>' + "".join(parts) + "</body></html>\n")
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def run(ctx: Context, out: Path, *, today: date | None = None) -> DemoReport:
    from gradecli.services import audit, evaluation, grades, perf, staff

    today = today or date(2026, 11, 26)
    rng = random.Random(SEED)
    report = DemoReport(out)
    out.mkdir(parents=True, exist_ok=True)
    inputs = out / "inputs"

    people = build_roster(rng, today)
    roster_file = _write(inputs / "roster.xlsx", N_("Roster"), roster_columns(ctx.policy), people)
    report.steps.append(staff.import_roster_file(ctx, roster_file).summary)

    ratings = build_ratings(rng, people, [today.year - 3, today.year - 2, today.year - 1])
    perf_file = _write(inputs / "ratings.xlsx", N_("Appraisal ratings"), performance_columns(ctx.policy), ratings)
    report.steps.append(perf.import_perf_file(ctx, perf_file).summary)

    existing = build_existing_grades(rng, people, ctx.policy.ladder.levels_per_tier, today)
    grade_file = _write(inputs / "existing-grades.xlsx", N_("Grades held"), grade_columns(), existing)
    report.steps.append(grades.import_grades_file(ctx, grade_file).summary)

    # A front-line 航标 worker who holds a grade moves to an office post: the policy's drop applies.
    graded = {g["emp_no"] for g in existing}
    mover = next(p for p in people if p["family"] == "航标" and p["frontline"] == "是"
                 and p["emp_no"] in graded and p["active"] == "是")
    report.steps.append(staff.transfer(ctx, mover["emp_no"], post="航标设计", frontline=False,
                                       on=date(today.year, today.month, 1)).summary)

    # Banks and papers: the shipped sample banks, one paper per tier, printed with its key.
    from importlib.resources import files

    from gradecli.services import bank, papers

    report.steps.append(bank.import_paths(ctx, [Path(str(files("gradecli.question_bank")))]).summary)
    paper_dir = out / "papers"
    for tier, family in zip(range(1, ctx.policy.ladder.tiers + 1), ("航标", "测量", "通信", "航标", "客服")):
        made = papers.generate(ctx, tier=tier, family=family, count=1, variants=None, seed=f"demo-{tier}")
        code = made.data["papers"][0]["paper"]
        exported = papers.export(ctx, [code], out=paper_dir, formats=["xlsx", "html"])
        report.files += [Path(f["file"]) for f in exported.data["files"]]
        report.steps.append(Msg("tier {tier}: paper {paper}, expected score {expected} → {folder}", tier=tier, paper=code,
                                expected=made.data["papers"][0]["expected"], folder=f"{paper_dir}/"))

    # 首次评定: everyone professional-technical without a grade is placed (lenient, mainly by the
    # appraisals of the last three years), as of mid-last-year; published, then closed after the window.
    first_out = out / "first-evaluation.xlsx"
    as_of = date(today.year - 1, 7, 1)
    ctx.pretend_today = as_of
    placed = evaluation.first_evaluation(ctx, as_of=as_of, out=first_out, publish_to=out / "first-evaluation")
    report.steps.append(placed.title)
    report.files += [first_out] + [Path(f["file"]) for f in placed.extra["notice"]["files"]]
    ctx.pretend_today = as_of + timedelta(days=ctx.policy.evaluation.objection_days + 1)
    report.steps.append(evaluation.close(ctx, placed.extra["cycle"]).summary)
    ctx.pretend_today = None

    # The annual inter-tier exam and the second half-year intra-tier exam, each one cycle for every
    # family (航标, 测量, 通信, 客服), from creation to closed; the half-year one with an upheld objection.
    annual, half = str(today.year), f"{today.year}H2"
    report.steps += run_cycle_to_scored(ctx, "annual", annual, out, rng, report)
    report.steps += evaluate_publish_close(ctx, annual, out, report, publish_on=date(today.year, 11, 20),
                                           close_on=date(today.year, 11, 30))
    report.steps += run_cycle_to_scored(ctx, "semiannual", half, out, rng, report, typo=True)
    report.steps += evaluate_publish_close(ctx, half, out, report, publish_on=date(today.year, 12, 20),
                                           close_on=date(today.year + 1, 1, 4), appeal=True)
    ctx.pretend_today = None

    report.steps += run_allowance(ctx, out, report, today)
    for code in (annual, half):  # the notice, the ledger and the payroll agree (as an auditor checks)
        audited = audit.cycle(ctx, code)
        if audited.exit_code:
            raise RuntimeError(f"demo: {render(audited.title)}: {audited.rows[:5]}")
        report.steps.append(audited.title)

    after = date(today.year + 1, 2, 1)  # when the half-year results take effect
    listing = grades.as_of(ctx, after, out=out / "grades-as-of.xlsx")
    report.steps.append(Msg("{title} → {file}", title=listing.title, file=out / "grades-as-of.xlsx"))
    report.files.append(out / "grades-as-of.xlsx")
    report.steps += run_reports(ctx, out, report, after)
    report.steps.append(grades.verify(ctx).summary)
    report.files += [roster_file, perf_file, grade_file]
    report.files.append(write_index(out, report))
    return report
