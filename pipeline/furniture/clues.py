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

from pipeline.paragraphs import display_width

Kind = Literal["breadcrumb", "navigation", "advert", "meta"]
FURNITURE_KINDS: tuple[Kind, ...] = ("breadcrumb", "navigation", "advert", "meta")
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
    + r"\s*(?:is)?\s*[:：>»\-]?",
    re.I,
)
_PATH_SEPARATOR = re.compile(r"\s+[-–—>»›/|]\s+|\s*[>»›→]\s*")
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
    r"(?:数|量|次数)?\s*[:：(（]?\s*[0-9][0-9,]*",
    re.I,
)
# Words of a site's user interface: a short line made of them is a button row or a label.
_UI_WORDS = frozenset(
    """
    下载 相关 举报 分享 收藏 打印 关闭 评论 点赞 复制链接 登录 注册 返回 首页 返回顶部 更多
    展开 收起 全文 阅读全文 查看更多 查看全文 下载资源 资源描述 在线预览 立即下载 加入收藏 纠错
    投诉 客户端 手机版 电脑版 微博 微信 字号 大 中 小 上一篇 下一篇 顶 踩 赞 转发 回复 置顶 关注
    share print email tweet like comment comments login log sign register download home back
    top more menu search subscribe facebook twitter linkedin whatsapp reddit copy link read
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_UI_SPLIT = re.compile(r"[\s|·•/,，、]+")
_ADVERT_PHRASES = re.compile(
    "点击咨询|咨询热线|在线咨询|免费咨询|立即咨询|立即报名|报名咨询|免费领取|免费试听|扫码|扫一扫|"
    "长按识别|关注公众号|关注微信|加微信|添加微信|下载吧|免费预览|由会员分享|请在.{0,30}搜索|"
    "可在线阅读|立即下载|招商加盟|点击进入|点击查看|"
    r"click here|click (?:on )?(?:the |this )?(?:link|button)"
    r"|click\b.{0,80}\b(?:consult|enrol|apply|register|sign up|download|subscribe)"
    r"|if you have any questions|contact us\b|call (?:us )?now"
    r"|subscribe to (?:our|the|my) (?:newsletter|channel|mailing list)"
    r"|sign up for (?:our|the) newsletter"
    r"|sign up (?:now|today)|apply now|subscribe (?:now|today)|download (?:now|the app)"
    r"|free trial",
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
    _start(
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
    )
    + r"\s*[:：]",
    re.I,
)
_BYLINE = re.compile(r"^\s*by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*$")
_COPYRIGHT = re.compile(
    r"copyright|©|版权所有|all rights reserved|转载请注明|未经授权|ICP备|ICP证|公网安备", re.I
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
    )
    + r"|baidu encyclopedia|百度百科|百度知道",
    re.I,
)
_LINK_END = re.compile(r"(?:https?://\S+|www\.\S+|\s/[a-z0-9_\-]{3,}(?:/[a-z0-9_\-.]*)*/?)\s*$")


def _ui_share(text: str) -> float:
    tokens = [token for token in _UI_SPLIT.split(text.strip().lower()) if token]
    if not tokens:
        return 0.0
    return sum(token in _UI_WORDS for token in tokens) / len(tokens)


def path_segments(text: str) -> list[str]:
    """The parts of a breadcrumb-shaped line (``A - B - C``, ``首页 > 新闻``), else ``[]``."""
    body = _BREADCRUMB_START.sub("", text, count=1)
    parts = [part.strip() for part in _PATH_SEPARATOR.split(body)]
    if len(parts) < 3 or any(not part or display_width(part) > 100 for part in parts[:-1]):
        return []
    return parts


def clues(text: str) -> list[Clue]:
    """Every clue in one paragraph's text, strongest first."""
    found: list[Clue] = []
    width = display_width(text)
    short = width <= SHORT
    if _BREADCRUMB_START.match(text):
        found.append(Clue("breadcrumb", STRONG, "starts with a 'current location' label"))
    segments = path_segments(text)
    if segments:
        found.append(Clue("breadcrumb", WEAK, f"a path of {len(segments)} parts"))
        if _HOME.match(segments[0]):
            found.append(Clue("breadcrumb", WEAK, "the path starts at the home page"))
    if _PREV_NEXT.match(text):
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
    adverts = {_short(match.group().lower()) for match in _ADVERT_PHRASES.finditer(text)}
    if adverts:
        strength = STRONG if width <= 2 * SHORT or len(adverts) >= 2 else WEAK
        listed = ", ".join(sorted(adverts)[:3])
        found.append(Clue("advert", strength, f"advert phrases: {listed}", at_edge=True))
    if short and _CONTACT.match(text):
        found.append(Clue("advert", STRONG, "a contact line (QQ, WeChat, phone)"))
    if _LINK_END.search(text) and not short:
        found.append(Clue("advert", WEAK, "ends with a link"))
    label = _META_LABEL.match(text)
    value = text[label.end() :] if label else ""
    if (label and display_width(value) <= 40 and not _ENDS_AS_SENTENCE.search(value)) or (
        _BYLINE.match(text)
    ):
        found.append(Clue("meta", STRONG, "a byline, source or date label"))
    if _COPYRIGHT.search(text):
        strength = STRONG if width <= 2 * SHORT else WEAK
        found.append(Clue("meta", strength, "a copyright line", at_edge=True))
    stamp = _TIMESTAMP.match(text)
    if stamp and display_width(stamp.group("rest")) <= 24:
        if stamp.group("time"):
            found.append(Clue("meta", STRONG, "a timestamp"))
        else:
            found.append(Clue("meta", WEAK, "a date line", at_edge=True))
    if len(_UPLOAD_FIELDS.findall(text)) >= 2:
        found.append(Clue("meta", STRONG, "upload metadata"))
    if width <= 2 * SHORT and _REFERENCE.search(text):
        found.append(Clue("meta", STRONG, "a reference or source line"))
    found.sort(key=lambda clue: -clue.strength)
    return found


def _short(phrase: str) -> str:
    return phrase if len(phrase) <= 30 else f"{phrase[:12]}…{phrase[-12:]}"


_SENTENCE = re.compile(r"[.。!！?？;；]\s*\S")
_ENDS_AS_SENTENCE = re.compile(r"[。！？!?]\s*$")


def _sentence_like(text: str) -> bool:
    """Whether a text reads as running prose: a sentence mark followed by more text."""
    return _SENTENCE.search(text) is not None
