"""Clues that a paragraph is page furniture, read from its own text: the phrase families sites use
around an article, in English and Chinese, and the shapes of breadcrumbs, counters and UI lines.

A clue names a kind (``breadcrumb``, ``navigation``, ``advert``, ``meta``), how strong it is
(1.0 is enough alone, 0.5 needs a second clue or an edge of the article) and the evidence an
editor reads. Phrases count only where furniture puts them: at the start of a line, or in a
short line; the same words inside a sentence of the article ("阅读此书", "消息来源") are not
clues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.text_width import display_width

Kind = Literal["breadcrumb", "navigation", "advert", "meta"]
SHORT = 80  # display width of a short line
STRONG, WEAK = 1.0, 0.5


@dataclass(frozen=True)
class Clue:
    """One piece of evidence that a paragraph is furniture of ``kind``. ``at_edge`` clues weigh
    more at the top or bottom of an article: a date line, an advert's phrases."""

    kind: Kind
    strength: float
    evidence: str
    at_edge: bool = False


def _start(*phrases: str) -> str:
    return r"^\s*(?:" + "|".join(phrases) + r")"


_BREADCRUMB_START = re.compile(
    _start(
        r"current (?:location|position)",
        r"your (?:current )?(?:location|position)",
        r"you are here",
        "当前位置",
        "您的位置",
        "您现在的位置",
        "您当前的位置",
        "所在位置",
        "当前的位置",
        "现在的位置",
    )
    + r"\s*(?:is\s*)?[:：>»\-–]",
    re.I,
)
_PATH_SEPARATOR = re.compile(r"\s+[-–—>»›/|]\s+|\s*[>»›→]\s*")
_SEPARATOR_MARK = re.compile("[-–—>»›/|→]")  # what every separator holds: a quick first look
ARROW_PATH = re.compile(r"[>»›→]")  # separators that only paths use (a title may hold " - ")
_HOME = re.compile(r"^\s*(?:首页|主页|网站首页|home|homepage|main page)\s*$", re.I)
_PREV_NEXT = re.compile(
    _start(
        "上一篇",
        "下一篇",
        "上一页",
        "下一页",
        "上一章",
        "下一章",
        "上一条",
        "下一条",
        "前一篇",
        "后一篇",
        "返回列表",
        "返回首页",
        "返回顶部",
        # (?:[«‹<]+\s*)? rather than [«‹<]*\s*: after _start's \s*, two runs of spaces around
        # an empty one split a run of spaces every way (quadratic in the run's length)
        r"(?:[«‹<]+\s*)?previous(?: (?:article|post|page|story|chapter))?\s*[:：»]",
        r"(?:[«‹<]+\s*)?next(?: (?:article|post|page|story|chapter))?\s*[:：»>]",
        r"previous (?:article|post|page|story|chapter)",
        r"next (?:article|post|page|story|chapter)",
        r"prev\b",
        r"older posts?",
        r"newer posts?",
        r"back to (?:top|home)",
    ),
    re.I,
)
_PAGE_COUNTER = re.compile(
    r"(?:第\s*[0-9]+\s*页\s*[/／]?\s*)?共\s*[0-9]+\s*页|第\s*[0-9]+\s*页"
    r"|\bpage\s+[0-9]+(?:\s+(?:of|/)\s+[0-9]+)?\b|^\s*[0-9]+\s*/\s*[0-9]+\s*$",
    re.I,
)
_COUNTER_REST = 16  # display width a page counter line may hold besides the counter
# A page preview's label: "x.docx_第3页".
_PAGE_LABEL = re.compile(r"[_\-]\s*(?:第\s*[0-9]+\s*页|p(?:age)?\s*[0-9]+)\s*$", re.I)
_SHARE = re.compile(
    _start("分享到", "分享至", "一键分享", r"share (?:this|on|to|via)", r"share\s*:"), re.I
)
_COUNTER = re.compile(
    r"(?:阅读|浏览|点击|人气|热度|评论|点赞|收藏|views?|reads?|hits|clicks|likes|comments)\s*"
    r"(?:数|量|次数)?\s*[:：(（]?\s*[0-9][0-9,]*\s*[)）]?\s*(?:次|人)?(?=\s|$|[|·/,，])",
    re.I,
)
# Words of a site's user interface: a short line made of them is a button row or a label.
_UI_WORDS = frozenset(
    """
    下载 相关 举报 分享 收藏 打印 关闭 评论 点赞 复制链接 登录 注册 返回 首页 返回顶部 更多
    展开 收起 全文 阅读全文 查看更多 查看全文 下载资源 资源描述 在线预览 立即下载 加入收藏 纠错
    投诉 客户端 手机版 电脑版 字号 上一篇 下一篇 转发 回复 置顶 关注
    上一页 下一页 尾页 末页 打印本页 关闭窗口 关注我们 共 页
    share print email tweet like comment comments login log sign register download home back
    top more menu search subscribe copy link read
    close favorite favourite related report page total next previous prev first last
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# Sites to share to or follow: a line of two or more of them is a share row; one alone is a
# name (a heading "LinkedIn" in a list of job sites).
_SOCIAL = frozenset(
    """
    微博 微信 微信公众号 新浪微博 抖音 qq空间 facebook twitter linkedin whatsapp reddit
    weibo wechat douban 豆瓣 知乎
    """.split()  # noqa: SIM905
)
_UI_SPLIT = re.compile(r"[\s|·•/,，、:：\[\]【】()（）<>«»]+")
_NUMBER_TOKEN = re.compile(r"[0-9]+|第?[0-9]+页|共[0-9]+页")
# The patterns searched anywhere in a line are written in lower case and run on the lowered
# text: a case-blind search is several times slower.
# Calls to action that only adverts make...
_ADVERT_CALLS = re.compile(
    "点击咨询|咨询热线|在线咨询|免费咨询|立即咨询|立即报名|报名咨询|免费领取|免费试听|扫码关注|扫一扫|"
    "长按识别|关注公众号|关注微信|加微信|添加微信|下载吧|免费预览|由会员分享|请在.{0,30}搜索|"
    "可在线阅读|立即下载|招商加盟|点击进入|点击查看|点击这里|"
    r"scan (?:the |our )?(?:qr )?code|follow our official account|add (?:us on )?wechat"
    r"|click here|click (?:on )?(?:the |this )?(?:link|button)"
    r"|click\b.{0,80}\b(?:consult|enrol|apply|register|sign up|download|subscribe)"
    r"|call (?:us )?now|subscribe to (?:our|the|my) (?:newsletter|channel|mailing list)"
    r"|sign up for (?:our|the) newsletter|sign up (?:now|today)|subscribe (?:now|today)"
    r"|download (?:now|the app)",
)
# ...and words that adverts use but the article may too (由于名额有限，竞争非常激烈).
_ADVERT_WORDS = re.compile(
    "扫码|进入官网|报名中|火热报名|名额有限|先到先得|课程顾问|微信同号|限时优惠|限时特惠|欢迎加入|"
    r"now enrolling|enrol(?:l)? now|places are limited|limited places|free trial"
    r"|if you have any questions|contact us\b|apply now",
)
# A contact handle anywhere in a short line: "HR交流QQ群：123456789", "Add WeChat: kaoyan666".
_HANDLE = re.compile(
    r"(?:qq群?|微信(?:号|群)?|wechat|热线|咨询电话|联系电话)\s*[:：]?\s*[0-9a-z][\w-]{4,}"
    r"|\b[48]00[- ]?[0-9]{3}[- ]?[0-9]{4}\b",
)
# What each of its alternatives holds, looked for first: most lines have none of them.
_HANDLE_WORDS = ("qq", "微信", "wechat", "热线", "电话", "00")
_HANDLE_EVIDENCE = "a phone number or a QQ/WeChat id"
# A line that only says it is an advert.
_ADVERT_LABEL = re.compile(
    r"^\s*[\[【(（]?(?:advertisement|advertising|sponsored|ad|广告|推广)[\]】)）]?\s*$", re.I
)
# "Related reading" and the like, above a list of links.
RELATED_HEADER = re.compile(
    r"^\s*(?:相关|推荐|热门|延伸|精彩|更多)(?:阅读|文章|推荐|职业|专业|链接|资讯|新闻|内容)"
    r"|^\s*(?:related (?:stories|articles|posts|reading|links|news)|read more|you may also like"
    r"|recommended(?: for you| reading)?|more from|more stories|further reading|popular posts)\b",
    re.I,
)
_CONTACT = re.compile(
    _start(
        "QQ",
        "微信号?",
        "电话",
        "手机",
        "热线",
        "咨询电话",
        "联系电话",
        "咨询热线",
        "客服电话",
        "联系方式",
        r"tel\b",
        r"phone\b",
        r"wechat\b",
        r"e-?mail\b",
    )
    + r"\s*(?:号码|号)?\s*(?:[:：]\s*\S|[0-9+(])",
    re.I,
)
_META_LABEL = re.compile(
    r"^\s*(?:[（(【\[]\s*)?(?:"  # (not \s*[（(]?\s*: that splits a run of spaces every way)
    + "|".join(
        (
            "来源",
            "来源于",
            "出处",
            "作者",
            "编辑",
            "责任编辑",
            "记者",
            "通讯员",
            "摄影",
            "图片来源",
            "发布时间",
            "发布日期",
            "发表时间",
            "更新时间",
            "发布者",
            "上传人",
            "上传时间",
            "上传者",
            "文档编号",
            "source",
            "author",
            "editor",
            r"posted(?: on| by)?",
            r"published(?: on| by)?",
            "updated",
            "written by",
            "reporter",
            r"photo(?:graph)?(?: by)?",
            "标签",
            "关键词",
            "关键字",
            "tags?",
            "keywords?",
            "responsible editor",
            "editor in charge",
            "release time",
            "发布人",
        )
    )
    + r")\s*[:：]",
    re.I,
)
_META_FIELD = re.compile(
    r"(?:来源|作者|编辑|发布时间|发布日期|更新时间|浏览|source|author|editor|release time|published"
    r"|updated|views)\s*[:：]",
)
_POSTED = re.compile(
    r"^\s*(?i:published|updated|posted|written)\b.{0,60}?(?:[0-9]{4}|[0-9]{1,2}:[0-9]{2})"
    r"|\b[0-9]+ min(?:ute)?s? read\b|^\s*[Bb]y\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*[|·]",
)
_DISCLAIMER = re.compile(
    "仅代表作者(?:个人)?观点|不代表本站|免责声明|如有侵权|版权归原作者|转载请|"
    r"disclaimer|the views expressed|do not necessarily reflect",
)
_BYLINE = re.compile(r"^\s*[Bb]y\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*$")
_COPYRIGHT = re.compile(
    r"©|\(c\)\s*[0-9]{4}|copyright\s*(?:©|\(c\)|[0-9]{4})|版权所有|all rights reserved"
    r"|转载请注明|未经授权|icp备|icp证|公网安备",
)
_TIMESTAMP = re.compile(
    r"^\s*[0-9]{4}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}\s*日?(?P<time>\s*[0-9]{1,2}:[0-9]{2}"
    r"(?::[0-9]{2})?)?(?P<rest>.*)$"
)
_UPLOAD_FIELDS = re.compile(
    "上传人|文档编号|上传时间|格式[:：]|页数[:：]|大小[:：]|下载次数|浏览次数"
)
_REFERENCE = re.compile(
    _start(
        r"refer to the above",
        r"references?\s*[:：]",
        "参考资料",
        "参考文献",
        "资料来源",
        "数据来源",
        "引用自",
        "以上内容参考",
        "内容参考",
        "参考来源",
    ),
    re.I,
)
_ENCYCLOPEDIA = re.compile("百度百科|维基百科|百度知道|baidu encyclopedia|wikipedia")
_LINK_END = re.compile(r"(?:https?://\S+|www\.\S+|\s/[a-z0-9_\-]{3,}(?:/[a-z0-9_\-.]*)*/?)\s*$")
# What every link that _LINK_END finds holds, looked for first: most paragraphs hold neither.
_LINK_MARKS = ("/", "www.")


def _ui_share(text: str) -> float:
    """The share of a line's words that are user-interface words (and sites to share to, two
    or more); page numbers count as such when there is one."""
    tokens = [token for token in _UI_SPLIT.split(text.strip().lower()) if token]
    ui = sum(token in _UI_WORDS for token in tokens)
    social = sum(token in _SOCIAL for token in tokens)
    if social >= 2 or (social and ui):
        ui += social
    if not ui:
        return 0.0
    numbers = sum(_NUMBER_TOKEN.fullmatch(token) is not None for token in tokens)
    return (ui + numbers) / len(tokens)


def path_segments(text: str) -> list[str]:
    """The parts of a breadcrumb-shaped line (``A - B - C``, ``首页 > 新闻``), else ``[]``."""
    if len(text) > 300:
        return []  # no breadcrumb is that long (and splitting long runs of spaces is slow)
    if not _SEPARATOR_MARK.search(text):
        return []  # one part only
    body = _BREADCRUMB_START.sub("", text, count=1)
    parts = [part.strip() for part in _PATH_SEPARATOR.split(body)]
    if len(parts) < 3 or any(not part or display_width(part) > 100 for part in parts[:-1]):
        return []
    return parts


def clues(text: str) -> list[Clue]:
    """Every clue in one paragraph's text, strongest first."""
    found: list[Clue] = []
    width = display_width(text, 4 * SHORT)  # every threshold below is under it
    short = width <= SHORT
    if _BREADCRUMB_START.match(text):
        found.append(Clue("breadcrumb", STRONG, "starts with a 'current location' label"))
    segments = path_segments(text)
    if segments:
        found.append(Clue("breadcrumb", WEAK, f"a path of {len(segments)} parts"))
        if _HOME.match(segments[0]):
            found.append(Clue("breadcrumb", WEAK, "the path starts at the home page"))
    link = _PREV_NEXT.match(text)
    if link and not _ENDS_AS_ORDER.search(text[link.end() :]):  # "Next: tailor your CV."
        found.append(Clue("navigation", STRONG, "starts with a previous/next link"))
    counter = _PAGE_COUNTER.search(text) if short else None
    if counter and display_width(_PAGE_COUNTER.sub("", text).strip(" /_-|")) <= _COUNTER_REST:
        found.append(Clue("navigation", STRONG, "a page counter"))
    elif short and _PAGE_LABEL.search(text):
        found.append(Clue("navigation", STRONG, "a page-preview label"))
    if _SHARE.match(text):
        found.append(Clue("navigation", STRONG, "a share line"))
    if short and _COUNTER.search(text) and not _sentence_like(text):
        found.append(Clue("navigation", STRONG, "a view or comment counter"))
    if width <= 60 and _ui_share(text) >= 0.7:
        found.append(Clue("navigation", STRONG, "made of user-interface words"))
    lowered = text.lower()
    calls = {_short(match.group()) for match in _ADVERT_CALLS.finditer(lowered)}
    words = {_short(match.group()) for match in _ADVERT_WORDS.finditer(lowered)}
    # A reader's own QQ in a review is no advert: it needs more.
    if any(word in lowered for word in _HANDLE_WORDS) and _HANDLE.search(lowered):
        words.add(_HANDLE_EVIDENCE)
    adverts = calls | words
    if adverts:
        # One word that the article may use too, in a sentence of it, is little.
        alone = (
            not calls
            and len(words) == 1
            and (words == {_HANDLE_EVIDENCE} or not short or _statement(text))
        )
        strength = WEAK if alone or (len(adverts) == 1 and width > 2 * SHORT) else STRONG
        if len(adverts) >= 3:
            strength = STRONG + WEAK  # enough even in a long paragraph of prose
        listed = ", ".join(sorted(adverts)[:4])
        found.append(Clue("advert", strength, f"advert phrases: {listed}", at_edge=not alone))
    if short and _CONTACT.match(text):
        found.append(Clue("advert", STRONG, "a contact line (QQ, WeChat, phone)"))
    if _ADVERT_LABEL.match(text):
        found.append(Clue("advert", STRONG, "an advert label"))
    if width <= SHORT and RELATED_HEADER.match(text):
        found.append(Clue("navigation", STRONG, "a related-links header"))
    tail = text[-200:]
    if not short and any(mark in tail for mark in _LINK_MARKS) and _LINK_END.search(tail):
        found.append(Clue("advert", WEAK, "ends with a link"))
    label = _META_LABEL.match(text)
    value = text[label.end() :] if label else ""
    fields = len(_META_FIELD.findall(lowered)) if width <= 2 * SHORT else 0
    if (
        (label and _label_value(value))
        or _BYLINE.match(text)
        or (width <= 2 * SHORT and fields >= 2)
        or (width <= 2 * SHORT and _POSTED.search(text) and not _statement(text))
    ):
        found.append(Clue("meta", STRONG, "a byline, source or date label"))
    if width <= 2 * SHORT and _DISCLAIMER.search(lowered):
        found.append(Clue("meta", STRONG, "a disclaimer"))
    if _COPYRIGHT.search(lowered):
        strength = STRONG if width <= 2 * SHORT else WEAK
        found.append(Clue("meta", strength, "a copyright line", at_edge=True))
    stamp = _TIMESTAMP.match(text)
    if stamp and display_width(stamp.group("rest")) <= 24:
        if stamp.group("time"):
            found.append(Clue("meta", STRONG, "a timestamp"))
        else:
            found.append(Clue("meta", WEAK, "a date line", at_edge=True))
    # (every upload field is Chinese: an ASCII text, which Python knows without reading it,
    # holds none)
    if width <= 4 * SHORT and not text.isascii() and len(_UPLOAD_FIELDS.findall(text)) >= 2:
        found.append(Clue("meta", STRONG, "upload metadata"))
    reference = _REFERENCE.search(text) or (
        short and _ENCYCLOPEDIA.search(lowered) and not _statement(text)
    )
    if width <= 2 * SHORT and reference:
        found.append(Clue("meta", STRONG, "a reference or source line"))
    found.sort(key=lambda clue: -clue.strength)
    return found


def _short(phrase: str) -> str:
    return phrase if len(phrase) <= 30 else f"{phrase[:12]}…{phrase[-12:]}"


_SENTENCE = re.compile(r"[.。!！?？;；]\s*\S")
_ENDS_AS_SENTENCE = re.compile(r"[。！？!?]\s*$")
_ENDS_AS_ORDER = re.compile(r"[.。!！;；]\s*[\"'”’」』)）]*\s*$")  # a link may ask a question
_ENDS_AS_STATEMENT = re.compile(r"[.。!！?？;；]\s*[\"'”’」』)）]*\s*$")
_DATE_OR_TIME = re.compile(
    r"[0-9]{4}[-/.年][0-9]{1,2}|[0-9]{1,2}:[0-9]{2}|[0-9]{1,2}月[0-9]{1,2}日"
)
_MONEY = re.compile(
    r"[$¥€£￥]|[0-9][0-9,.]*\s*(?:元|万|k\b|yuan|dollars?|a year|per (?:year|month))", re.I
)


def _statement(text: str) -> bool:
    """Whether a line reads as a sentence of the article: it ends like one."""
    return _ENDS_AS_STATEMENT.search(text) is not None


def _label_value(value: str) -> bool:
    """Whether what follows a meta label reads as its value: short, not a sentence, and holding
    numbers only as a date or a time (``Editor: $58,000 a year`` is a salary list)."""
    if display_width(value) > 40 or _ENDS_AS_SENTENCE.search(value) or _MONEY.search(value):
        return False
    digits = re.sub(r"[^0-9]", "", value)
    return not digits or _DATE_OR_TIME.search(value) is not None


def _sentence_like(text: str) -> bool:
    """Whether a text reads as running prose: a sentence mark followed by more text."""
    return _SENTENCE.search(text) is not None
