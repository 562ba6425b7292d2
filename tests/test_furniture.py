"""Page furniture: clues, the article's edges and title, repetition on a site, the stage."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from pipeline.cli import main
from pipeline.config import Config, ConfigError, FurnitureConfig, InputConfig, config_from_mapping
from pipeline.furniture.clues import clues
from pipeline.furniture.local import label_article
from pipeline.furniture.site import site_of
from pipeline.records import Paragraph
from pipeline.runner import run_pipeline

BODY_EN = (
    "The call centre industry in China has grown quickly. It now employs millions of people, "
    "and the demand for trained agents keeps rising in every first-tier city."
)
BODY_ZH = "电信客服行业近年来发展迅速。人才需求持续增长，一线城市的平均月薪约在三千到五千元之间。"


def kinds(text: str) -> set[str]:
    """The furniture kinds with a clue strong enough on its own."""
    return {clue.kind for clue in clues(text) if clue.strength >= 1.0}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Current location - Education Network - University rankings - Is Fuzhou a 211?",
            "breadcrumb",
        ),
        ("当前位置：首页 > 新闻中心 > 正文", "breadcrumb"),
        ("上一篇：电信客服的发展前景", "navigation"),
        ("Next article: How to become a pilot", "navigation"),
        ("第2页 / 共24页", "navigation"),
        ("Page 3 of 12", "navigation"),
        ("软件工程期末复习集.docx_第5页", "navigation"),
        ("下载 相关 举报", "navigation"),
        ("分享到：微信 微博 QQ空间", "navigation"),
        ("阅读 1,234", "navigation"),
        ("点击咨询，免费领取报考资料", "advert"),
        ("扫码关注公众号，获取最新招聘信息", "advert"),
        ("QQ：123456789", "advert"),
        ("咨询电话：400-123-4567", "advert"),
        ("来源：人民网", "meta"),
        ("作者：张三", "meta"),
        ("Source: Xinhua", "meta"),
        ("By John Smith", "meta"),
        ("责任编辑：周泓洋", "meta"),
        ("Copyright © 2023 Example Media. All rights reserved.", "meta"),
        ("版权所有 京ICP备12345678号", "meta"),
        ("2011-06-28 15:30:11麥可思", "meta"),
        ("上传人:b****0 文档编号:9430551 上传时间:2023-05-19 格式:DOCX", "meta"),
        ("Refer to the above? Baidu Encyclopedia-Project 211", "meta"),
        ("Previous: What graduates should know about labour contracts", "navigation"),
        ("« Previous post: Ten phrases to cut from your CV", "navigation"),
        ("共2页: 上一页 1 2 下一页", "navigation"),
        ("打印本页 | 关闭窗口 | 收藏 | 举报", "navigation"),
        ("[Print] [Close] [Favorite]", "navigation"),
        ("相关阅读", "navigation"),
        ("Related stories", "navigation"),
        ("更多招聘信息请点击这里进入官网>>", "advert"),
        ("HR交流QQ群：123456789  欢迎加入", "advert"),
        ("ADVERTISEMENT", "advert"),
        ("Scan the code to follow our official account", "advert"),
        ("本文仅代表作者观点，不代表本站立场。", "meta"),
        ("标签：校园招聘 互联网", "meta"),
        ("Tags: salaries, tech careers", "meta"),
        ("（责任编辑：孙悦）", "meta"),
        ("Published March 14, 2023, 9:12 a.m. ET | Updated 11:40 a.m. ET", "meta"),
        ("Posted by Maria Lopez on January 8, 2024 · 6 min read", "meta"),
        ("by Tom Whitaker | May 2, 2023 | 4 Comments", "meta"),
        ("Source: Study Abroad Network Author: Chen Lin 2023-02-21", "meta"),
    ],
)
def test_furniture_lines_carry_a_clue_strong_enough_alone(text: str, kind: str) -> None:
    assert kind in kinds(text), clues(text)


@pytest.mark.parametrize(
    "text",
    [
        "阅读此书，本意是想增加点知识，了解自我的，可是结果目的没有达到。",
        "我知道美国人民不会这么做的，消息来源，就是他本人。",
        "记者：您认为本届评出的作品的最大特点是什么？",
        "编辑同志：",
        "Agassi was sponsored by DuPont, Ebel and Mountain Dew in 1993.",
        "The ANZ Bank job advertisement series has measured a fall in the number of jobs.",
        "Telecom customer service: career status",
        "Source: Christopher Ehret, Reconstructing Proto-Afroasiatic (Berkeley: University Press)",
        "1997年12月29日",  # a date alone is only a weak clue: at an edge of the article it adds up
        "The vowel is written /i/ in the table.",
        "If x > 5 then y > 3 and z > 1.",
        "想要找我帮忙的可以啊！QQ：609909965",  # a reader's own QQ: a weak clue only
        "并希望您能一如既往的支持和关注我们，我们全体员工欢迎您的再次光临！",
        "By March, the army had grown to the point where it could face the enemy.",
        "（中）",
        "Reporter: What advice do you have for graduates?",
        "由于名额有限，竞争非常激烈。",
        "越来越多的人使用手机扫码支付。",
        "课程顾问的主要工作是为学员制定学习计划。",
        "考生可进入官网查询成绩。",
        "Many software firms offer a free trial to new customers.",
        "She now works as a copyright lawyer in Beijing.",
        "Published in 2019, the report shows that lawyers earn more.",
        "根据百度百科的定义，产品经理是负责产品的人。",
        "Editor: $58,000 a year",
        "Your location matters when you apply for remote jobs.",
        "现在的位置并不代表你的未来。",
        "Next: tailor your CV to each job.",
        "下一条建议：保持积极的心态。",
        "阅读100本书的收获",
        "LinkedIn",
        "Career prospects",
        BODY_EN,
        BODY_ZH,
    ],
)
def test_the_same_words_inside_the_article_are_no_strong_clue(text: str) -> None:
    assert kinds(text) == set(), clues(text)


def _article(*lines: str) -> list[Paragraph]:
    return [Paragraph(index, "body", text) for index, text in enumerate(lines)]


def test_a_breadcrumb_that_ends_with_the_title_and_a_related_links_list_are_set_aside() -> None:
    paragraphs = _article(
        "Traditional Culture Encyclopedia - Photography - Analysis on E-commerce Employment",
        "Analysis on E-commerce Employment",
        BODY_EN,
        BODY_EN + " Salaries rise too.",
        "Fire brigade in Shanghai holds group wedding",
        "Tourists enjoy ice sculptures in Datan Town",
        "Sunset scenery of Dayan Pagoda in Xi'an",
        "Top 10 media buzzwords of 2020",
    )
    label_article(paragraphs, InputConfig())
    roles = [p.role for p in paragraphs]
    assert roles == ["breadcrumb", "title", "body", "body", *["navigation"] * 4]
    assert paragraphs[0].evidence == [
        "a path of 3 parts",
        "ends with the article's title",
        "at the top of the article",
    ]
    assert "related-links list" in paragraphs[4].evidence[0]


def test_a_short_list_at_the_end_of_an_article_is_content() -> None:
    paragraphs = _article("Requirements", BODY_EN, "Good communication.", "Patience;", "Teamwork.")
    label_article(paragraphs, InputConfig())
    assert [p.role for p in paragraphs] == ["title", "body", "body", "body", "body"]
    introduced = _article(
        "Remote jobs",
        BODY_EN + " What we look for:",
        "Two or more years in a customer-facing role",
        "Clear written English in every message",
        "Experience with a help-desk tool such as Zendesk",
        "Availability for four hours of overlap with UTC",
    )
    label_article(introduced, InputConfig())
    assert "navigation" not in {p.role for p in introduced}


def test_a_closing_list_under_its_heading_is_content() -> None:
    paragraphs = _article(
        "产品经理的职业发展",
        BODY_ZH,
        BODY_ZH + "。",
        "产品经理的任职要求",
        "本科及以上学历，计算机相关专业优先",
        "三年以上相关工作经验，有大厂经历者优先",
        "具备良好的沟通能力和团队合作精神",
        "熟悉数据分析方法，能独立撰写需求文档",
    )
    label_article(paragraphs, InputConfig())
    assert "navigation" not in {p.role for p in paragraphs}


def test_a_title_with_slashes_is_no_breadcrumb() -> None:
    paragraphs = _article(
        "Nurse / Doctor / Pharmacist: which career pays best", "Introduction", BODY_EN
    )
    label_article(paragraphs, InputConfig())
    assert [p.role for p in paragraphs] == ["title", "body", "body"]


def test_a_section_heading_in_every_article_of_a_site_is_no_boilerplate(raw_dir: Path) -> None:
    titles = ["电信客服的发展前景", "汽车维修的就业方向", "会计专业的薪资水平"]
    bodies = [BODY_ZH, BODY_ZH.replace("三千", "四千"), BODY_ZH.replace("三千", "六千")]
    _pages(
        raw_dir, *[[title, "岗位职责", body] for title, body in zip(titles, bodies, strict=True)]
    )
    result = run_pipeline(raw_dir, Config())
    assert [d.text for d in result.dropped if d.text == "岗位职责"] == []


def test_lines_under_a_related_reading_header_are_navigation() -> None:
    paragraphs = _article(
        "简历怎么写",
        BODY_ZH,
        BODY_ZH + "。",
        "相关阅读",
        "应届生签三方协议需要注意哪些问题",
        "简历中的自我评价",
    )
    label_article(paragraphs, InputConfig())
    assert [p.role for p in paragraphs[3:]] == ["navigation"] * 3
    assert paragraphs[4].evidence == ["listed under '相关阅读'"]


def test_a_path_of_sections_above_the_headline_is_a_breadcrumb() -> None:
    for crumb in ("人力资源网 > 劳动法规 > 试用期", "职业百科 - 互联网 - 产品经理"):
        paragraphs = _article(crumb, "产品经理是做什么的？一文读懂职业发展路径", BODY_ZH, BODY_ZH)
        label_article(paragraphs, InputConfig())
        assert [p.role for p in paragraphs[:2]] == ["breadcrumb", "title"], crumb
    titled = _article("Python - Django - Flask", BODY_EN, BODY_EN)  # no headline after it
    label_article(titled, InputConfig())
    assert titled[0].role == "title"


def test_a_paragraph_of_several_sentences_is_no_title() -> None:
    paragraphs = _article("去年考研落榜了。后来决定二战。今年终于上岸了。", BODY_ZH)
    label_article(paragraphs, InputConfig())
    assert paragraphs[0].role == "body"


def test_a_date_line_is_meta_at_the_top_but_content_in_the_middle() -> None:
    top = _article("Title of the article", "2021年6月28日", BODY_ZH, BODY_ZH)
    label_article(top, InputConfig())
    assert top[1].role == "meta"
    assert top[1].evidence == ["a date line", "at the top of the article"]
    middle = _article("Title of the article", BODY_ZH, "2021年6月28日", BODY_ZH)
    label_article(middle, InputConfig())
    assert middle[2].role == "body"


def test_the_title_is_the_headline_never_furniture_or_a_fragment() -> None:
    paragraphs = _article("来源：人民网", "2021-06-28 15:30", "电信客服的发展前景", BODY_ZH)
    label_article(paragraphs, InputConfig())
    assert [p.role for p in paragraphs] == ["meta", "meta", "title", "body"]
    broken = _article("and the salaries of agents rose,", BODY_EN)
    label_article(broken, InputConfig())
    assert [p.role for p in broken] == ["body", "body"]


def test_a_given_title_stays_the_title() -> None:
    paragraphs = _article("来源：人民网", BODY_ZH)
    paragraphs[0].role = "title"
    label_article(paragraphs, InputConfig(), title_given=True)
    assert paragraphs[0].role == "title"


def test_the_site_is_the_url_host_else_the_folder() -> None:
    assert site_of("a/docs.jsonl:3", "https://www.Example.com/x/1.html") == "www.example.com"
    assert site_of("a/docs.jsonl:3", None) == "folder:a"
    assert site_of("b/c/page.txt", None) == "folder:b/c"
    assert site_of("page.txt", "not a url") == "folder:."


def _pages(raw: Path, *pages: list[str]) -> None:
    for number, lines in enumerate(pages):
        write(raw, f"p{number}.txt", "\n".join(lines) + "\n")


def test_a_slogan_on_every_page_of_a_site_is_boilerplate_and_the_headline_is_the_title(
    raw_dir: Path,
) -> None:
    slogan = "职业教育网 专注职业发展"
    titles = ["电信客服的发展前景", "汽车维修的就业方向", "会计专业的薪资水平"]
    bodies = [BODY_ZH, BODY_ZH.replace("三千", "四千"), BODY_ZH.replace("三千", "六千")]
    _pages(raw_dir, *[[slogan, title, body] for title, body in zip(titles, bodies, strict=True)])
    result = run_pipeline(raw_dir, Config())
    slogans = [d for d in result.dropped if d.text == slogan]
    assert [d.reason for d in slogans] == ["boilerplate"] * 3
    where = "seen on 3 pages of this site at the same position (top of the article)"
    assert slogans[0].evidence[0] == where
    assert [r.title for r in result.records] == titles


def test_a_paragraph_copied_by_other_pages_keeps_its_first_copy(raw_dir: Path) -> None:
    intro = (
        "Customer service is the front line of every company and a good first job for graduates."
    )
    _pages(
        raw_dir,
        *[[f"Career {n}", BODY_EN + f" ({n})", intro, BODY_EN + f" [{n}]"] for n in range(3)],
    )
    result = run_pipeline(raw_dir, Config())
    copies = [d for d in result.dropped if d.text == intro]
    assert [(d.source, d.reason) for d in copies] == [
        ("p1.txt", "exact_duplicate"),
        ("p2.txt", "exact_duplicate"),
    ]


def test_a_page_scraped_three_times_is_no_evidence_of_furniture(raw_dir: Path) -> None:
    page = ["每日一句：坚持就是胜利", "电信客服的发展前景", BODY_ZH, BODY_EN]
    _pages(raw_dir, page, page, page)
    result = run_pipeline(raw_dir, Config())
    assert {d.reason for d in result.dropped} == {"exact_duplicate"}
    assert {r.source for r in result.records} == {"p0.txt"}
    assert sum(len(r.paragraphs) for r in result.records) == 4


def test_furniture_can_be_kept_in_the_records_with_its_role(raw_dir: Path) -> None:
    _pages(raw_dir, ["来源：人民网", "电信客服的发展前景", BODY_ZH, "上一篇：呼叫中心"])
    config = replace(Config(), furniture=FurnitureConfig(keep=True))
    result = run_pipeline(raw_dir, config)
    assert result.dropped == []
    (record,) = result.records
    assert [(p.role, p.evidence) for p in record.paragraphs] == [
        ("meta", ["a byline, source or date label", "at the top of the article"]),
        ("title", []),
        ("body", []),
        ("navigation", ["starts with a previous/next link", "at the bottom of the article"]),
    ]
    assert result.furniture == {"meta": 1, "navigation": 1}
    off = run_pipeline(raw_dir, replace(Config(), furniture=FurnitureConfig(enabled=False)))
    assert off.dropped == [] and off.furniture == {}
    assert [p.role for p in off.records[0].paragraphs] == ["title", "heading", "body", "heading"]


def test_furniture_goes_to_dropped_jsonl_with_its_kind_and_evidence(raw_dir: Path) -> None:
    _pages(raw_dir, ["Current location - Home - News - Pay rises", "Pay rises", BODY_EN])
    result = run_pipeline(raw_dir, Config())
    (dropped,) = result.dropped
    assert (dropped.reason, dropped.index, dropped.duplicate_of) == ("breadcrumb", 0, None)
    assert dropped.evidence[0] == "starts with a 'current location' label"
    assert result.records[0].title == "Pay rises"


def test_tables_stay_whole_and_dedup_never_takes_a_row(raw_dir: Path) -> None:
    pay = "| Rank | Pay |\n|---|---|\n| Section member | 3000-5000 |\n| Deputy | 5000-7000 |"
    cities = "| City | Subsidy |\n|---|---|\n| Beijing | 1.8-2.2 |\n| Chengdu | 1.2-1.5 |"
    write(raw_dir, "t.txt", "\n".join(["Salaries", BODY_EN, pay, BODY_ZH, cities]) + "\n")
    result = run_pipeline(raw_dir, Config())
    texts = [p.text for r in result.records for p in r.paragraphs]
    assert pay in texts and cities in texts
    assert result.dropped == []  # the |---|---| rows are inside their tables


def test_bad_furniture_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="boilerplate_min_pages"):
        config_from_mapping({"furniture": {"boilerplate_min_pages": 1}})
    with pytest.raises(ConfigError, match="keep"):
        config_from_mapping({"furniture": {"keep": "yes"}})


def test_the_english_seed_advert_is_set_aside_with_its_evidence() -> None:
    repo = Path(__file__).resolve().parents[1]
    dropped = [
        json.loads(line)
        for line in (repo / "cleaned" / "dropped.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    adverts = [d for d in dropped if d["reason"] == "advert"]
    assert [d["text"][:30] for d in adverts] == ["If you have any questions abou"]
    assert "ends with a link" in adverts[0]["evidence"]
    assert {d["reason"] for d in dropped} == {"advert", "exact_duplicate"}
    assert sum(d["reason"] == "exact_duplicate" for d in dropped) == 12


def test_the_cli_keeps_or_drops_furniture_and_the_summary_counts_it(raw_dir: Path) -> None:
    _pages(raw_dir, ["来源：人民网", "电信客服的发展前景", BODY_ZH, "上一篇：呼叫中心"])
    result = CliRunner().invoke(main, ["run", str(raw_dir), "--out", "out"])
    assert result.exit_code == 0, result.output
    assert "2 page furniture" in result.output
    dropped = (Path("out") / "dropped.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["reason"] for line in dropped] == ["meta", "navigation"]
    manifest = json.loads((Path("out") / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["furniture"]["meta"] == 1
    kept = CliRunner().invoke(main, ["run", str(raw_dir), "--out", "kept", "--keep-furniture"])
    assert kept.exit_code == 0 and "2 paragraph(s) kept with their kind as role" in kept.output
    (record,) = [json.loads(line) for line in (Path("kept") / "zh.jsonl").open(encoding="utf-8")]
    assert [p["role"] for p in record["paragraphs"]] == ["meta", "title", "body", "navigation"]
    assert (Path("kept") / "dropped.jsonl").read_text(encoding="utf-8") == ""


def test_a_line_seen_once_on_a_page_holds_its_pair_and_pages_count_by_surroundings() -> None:
    from pipeline.furniture.site import _Seen

    seen = _Seen()
    seen.add("a.txt", ("^", "intro"))
    seen.add("a.txt", ("^", "intro"))  # the same surroundings again: still one pair
    seen.add("b.txt", ("^", "intro"))  # a copy of page a: the same surroundings
    seen.add("c.txt", ("^", "intro"))
    seen.add("c.txt", ("footer", "$"))  # twice on page c: both kept
    assert seen.surroundings["a.txt"] == ("^", "intro")  # one pair, no set for it
    assert seen.surroundings["c.txt"] == {("^", "intro"), ("footer", "$")}
    seen.count_pages()
    assert seen.pages == 2  # a and b are one page; c, with another set, is a second
    one = _Seen()
    one.add("a.txt", ("x", "y"))
    one.count_pages()
    assert one.pages == 1
