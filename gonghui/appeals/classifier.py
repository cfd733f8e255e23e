"""Suggest an appeal category (诉求类别) from the worker's own description.

A small, transparent model an operator can argue with:

* the text is normalised (full-width → half-width, HTML tags dropped, common typos such
  as 公资/社宝 corrected) and segmented into words with rjieba (jieba-rs), whose
  dictionary is compiled into the wheel, with a short list of hotline terms added;
* a multinomial naive Bayes over the set of words of each description, trained on the
  labelled appeals shipped in ``data/labelled_appeals.jsonl`` (train split only);
* hand rules for strong signals (工伤, 骑手, 仲裁, 入会, 轻生 …) that add a fixed bonus to a
  category, so a single decisive word is not outvoted by the everyday words around it.

The model is trained once, on first use, under a lock; the same text always gets the same
suggestion. Nothing is downloaded: the data and the segmenter's dictionary ship with the
code. How well it does is measured by ``python -m gonghui.appeals.evaluate`` and written
down in docs/appeals-classifier.md.
"""

from __future__ import annotations

import json
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import rjieba

from gonghui.appeals.categories import AppealCategory

DATA_FILE = Path(__file__).resolve().parent / "data" / "labelled_appeals.jsonl"

# Only the head of a very long text is read: what a worker asks for is said early, and the
# cost of a suggestion stays bounded whatever is pasted into the form.
MAX_CHARS = 2000

# Laplace (add-one) smoothing of the word counts.
ALPHA = 1.0
# Bonus (in log-odds, after scaling) a category gets when one of its strong signals fires.
# Chosen by 5-fold cross-validation on the train split, never on the test split.
RULE_BONUS = 2.5

# Hotline terms the general dictionary splits or does not know.
DOMAIN_WORDS = (
    "欠薪",
    "工钱",
    "工资条",
    "最低工资",
    "劳动合同",
    "劳务合同",
    "劳务派遣",
    "无固定期限",
    "试用期",
    "竞业限制",
    "双倍工资",
    "社保",
    "五险一金",
    "公积金",
    "医保",
    "养老保险",
    "失业金",
    "生育津贴",
    "生育保险",
    "工伤",
    "工伤认定",
    "伤残",
    "职业病",
    "尘肺病",
    "停工留薪",
    "加班费",
    "年假",
    "年休假",
    "产假",
    "陪产假",
    "育儿假",
    "调休",
    "大小周",
    "辞退",
    "裁员",
    "经济补偿",
    "赔偿金",
    "离职证明",
    "劝退",
    "隐患",
    "粉尘",
    "防暑降温",
    "中暑",
    "甲醛",
    "骑手",
    "外卖",
    "网约车",
    "跑单",
    "派单",
    "快递员",
    "封号",
    "众包",
    "代驾",
    "入会",
    "建会",
    "会员",
    "京卡",
    "会费",
    "工会经费",
    "职代会",
    "困难职工",
    "帮扶",
    "救助",
    "助学金",
    "温暖基金",
    "送温暖",
    "仲裁",
    "劳动仲裁",
    "法律援助",
    "强制执行",
    "心理咨询",
    "心理疏导",
    "轻生",
    "想不开",
    "失眠",
    "抑郁",
    "焦虑",
    "12351",
)

# Misspellings and variants seen on the hotline, mapped before segmentation.
VARIANTS = {
    "公资": "工资",
    "工姿": "工资",
    "社宝": "社保",
    "社报": "社保",
    "五险一今": "五险一金",
    "共积金": "公积金",
    "工上": "工伤",
    "N+1": "经济补偿",
    "n+1": "经济补偿",
}

# Strong signals: a word (or substring) that on its own almost decides the category.
# Kept short on purpose; the model learns the rest from the labelled appeals.
STRONG_SIGNALS: dict[AppealCategory, tuple[str, ...]] = {
    AppealCategory.WAGE_ARREARS: (
        "欠薪",
        "拖欠工资",
        "欠工资",
        "欠发",
        "工钱",
        "克扣",
        "少发",
        "没发工资",
        "工资没发",
        "不发工资",
        "最低工资",
    ),
    AppealCategory.CONTRACT: ("劳动合同", "签合同", "试用期", "续签", "劳务派遣", "竞业限制", "无固定期限", "劳务合同"),
    AppealCategory.SOCIAL_INSURANCE: (
        "社保",
        "社会保险",
        "医保",
        "公积金",
        "养老保险",
        "失业保险",
        "失业金",
        "生育津贴",
        "生育保险",
        "五险",
        "企业年金",
    ),
    AppealCategory.WORK_INJURY: (
        "工伤",
        "伤残",
        "职业病认定",
        "职业病诊断",
        "尘肺",
        "骨折",
        "摔伤",
        "砸伤",
        "烫伤",
        "压伤",
        "压断",
        "扭伤",
        "劳动能力鉴定",
    ),
    AppealCategory.HOURS_LEAVE: (
        "加班",
        "年假",
        "年休假",
        "产假",
        "产检假",
        "育儿假",
        "陪产假",
        "探亲假",
        "调休",
        "病假",
        "婚假",
        "丧假",
        "休息日",
        "工时",
        "值班",
        "请假",
        "大小周",
    ),
    AppealCategory.DISMISSAL: (
        "辞退",
        "开除",
        "裁员",
        "经济补偿",
        "解除劳动合同",
        "解除合同",
        "解除劳动关系",
        "离职证明",
        "劝退",
        "赔偿金",
        "不用来了",
        "自愿离职",
        "辞职",
    ),
    AppealCategory.SAFETY_HEALTH: (
        "隐患",
        "粉尘",
        "防护",
        "消防",
        "中暑",
        "防暑",
        "甲醛",
        "噪音",
        "噪声",
        "安全带",
        "通风",
        "高温",
        "职业病体检",
        "职业健康检查",
        "安全培训",
        "有毒",
    ),
    AppealCategory.NEW_FORM: (
        "骑手",
        "外卖",
        "网约车",
        "跑单",
        "快递员",
        "平台",
        "站点",
        "滴滴",
        "美团",
        "饿了么",
        "接单",
        "配送员",
        "代驾",
        "新就业形态",
    ),
    AppealCategory.MEMBERSHIP: (
        "入会",
        "建会",
        "会员",
        "京卡",
        "会费",
        "工会经费",
        "工会主席",
        "成立工会",
        "加入工会",
        "职代会",
        "换届",
    ),
    AppealCategory.HARDSHIP: ("困难职工", "帮扶", "救助", "助学", "温暖基金", "送温暖", "生活困难", "重病", "癌症"),
    AppealCategory.LEGAL_CONSULT: (
        "仲裁",
        "律师",
        "法律援助",
        "起诉",
        "诉讼",
        "证据",
        "强制执行",
        "法院",
        "时效",
        "判决",
        "上诉",
        "法律",
    ),
    AppealCategory.PSYCHOLOGICAL: ("心理", "抑郁", "焦虑", "失眠", "轻生", "想不开", "崩溃", "情绪", "压力", "噩梦"),
    AppealCategory.OTHER: (
        "建议",
        "表扬",
        "感谢",
        "致谢",
        "报名",
        "进度",
        "投诉",
        "活动",
        "网站",
        "app",
        "登录",
        "疗休养",
        "劳模",
        "打错",
    ),
}

# Every signal once, longest first: a text is scanned for them without overlap, so
# 解除劳动合同 counts for dismissal and not also for contract (劳动合同).
_SIGNALS_LONGEST_FIRST = sorted(
    ((signal, category) for category, signals in STRONG_SIGNALS.items() for signal in signals),
    key=lambda item: (-len(item[0]), item[0]),
)

_TAG = re.compile(r"<[^>]{0,200}>")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[a-z][a-z0-9]+")
# Everyday words that carry no category; the model would learn this too, but more slowly.
STOP_WORDS = frozenset(
    [
        "我们",
        "你们",
        "他们",
        "公司",
        "单位",
        "老板",
        "现在",
        "一直",
        "已经",
        "没有",
        "什么",
        "怎么",
        "可以",
        "能不能",
        "这个",
        "那个",
        "还是",
        "就是",
        "自己",
        "不是",
        "可是",
        "但是",
        "因为",
        "所以",
        "如果",
        "时候",
        "请问",
        "想问",
        "一下",
        "问问",
        "请求",
        "反映",
        "来电",
        "来电人",
        "诉求",
        "诉求人",
        "职工",
        "留言",
        "网上",
        "帮助",
        "帮忙",
        "希望",
        "要求",
        "工作",
        "上班",
        "北京",
        "北京市",
        "有限公司",
        "一个",
        "两个",
        "三个",
        "这样",
        "那样",
        "还有",
        "不知道",
    ]
)


@dataclass(frozen=True)
class Suggestion:
    """What the classifier suggests for one text.

    ``confidence`` is the model's probability for ``category`` (0–1); ``alternatives`` are
    the next most likely categories with theirs, best first; ``keywords`` the words of the
    text that weighed most for ``category``, so an operator can see why.
    """

    category: AppealCategory
    confidence: float
    alternatives: tuple[tuple[AppealCategory, float], ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class LabelledAppeal:
    id: str
    text: str
    category: AppealCategory
    split: str  # "train" or "test"


def load_labelled_appeals(split: str | None = None, path: Path = DATA_FILE) -> list[LabelledAppeal]:
    """The labelled appeals shipped with the code; ``split`` keeps only "train" or "test"."""
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            appeal = LabelledAppeal(row["id"], row["text"], AppealCategory(row["category"]), row["split"])
            if split is None or appeal.split == split:
                rows.append(appeal)
    return rows


def normalise(text: str) -> str:
    """Half-width, lower-case, tags dropped, known typos fixed, cut to ``MAX_CHARS``."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS]
    text = _TAG.sub(" ", text).lower()
    for wrong, right in VARIANTS.items():
        text = text.replace(wrong.lower(), right)
    return text


class Segmenter:
    """rjieba with the hotline's own words added; one instance is shared."""

    def __init__(self) -> None:
        self._jieba = rjieba.Jieba()
        for word in DOMAIN_WORDS:
            self._jieba.add_word(word, None, None)

    def words(self, text: str) -> list[str]:
        """Content words of a normalised text: CJK words of 2+ characters, latin words."""
        found = []
        for token in self._jieba.cut(text):
            for word in _WORD.findall(token):
                if word not in STOP_WORDS:
                    found.append(word)
        return found


def character_bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters, marked with a leading ``#``.

    They catch what segmentation splits differently from one phrasing to the next
    (三个月工资 → 三个/月工资) and measured a few points better in cross-validation.
    """
    return [f"#{run[i : i + 2]}" for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]


class AppealClassifier:
    """Naive Bayes over word sets plus strong-signal rules. Fit once, then read-only."""

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter
        self.categories: tuple[AppealCategory, ...] = tuple(AppealCategory)
        self.log_prior: dict[AppealCategory, float] = {}
        self.log_likelihood: dict[str, dict[AppealCategory, float]] = {}

    def features(self, text: str) -> list[str]:
        return self._features(normalise(text))

    def _features(self, normalised: str) -> list[str]:
        # A set per description: a word repeated in one appeal is one piece of evidence.
        return sorted(set(self.segmenter.words(normalised)) | set(character_bigrams(normalised)))

    def fit(self, examples: Iterable[LabelledAppeal]) -> AppealClassifier:
        doc_counts: Counter[AppealCategory] = Counter()
        word_counts: dict[AppealCategory, Counter[str]] = {c: Counter() for c in self.categories}
        for example in examples:
            doc_counts[example.category] += 1
            word_counts[example.category].update(self.features(example.text))
        vocabulary = sorted(set().union(*word_counts.values()))
        total_docs = sum(doc_counts.values())
        denominators = {c: sum(word_counts[c].values()) + ALPHA * (len(vocabulary) + 1) for c in self.categories}
        for category in self.categories:
            # Add-one on the prior too, so a category with no examples is still possible.
            self.log_prior[category] = math.log((doc_counts[category] + 1) / (total_docs + len(self.categories)))
        self.log_likelihood = {
            word: {c: math.log((word_counts[c][word] + ALPHA) / denominators[c]) for c in self.categories}
            for word in vocabulary
        }
        return self

    def suggest(self, text: str, *, alternatives: int = 3) -> Suggestion:
        normalised = normalise(text)
        words = [w for w in self._features(normalised) if w in self.log_likelihood]
        rule_hits = strong_signals(normalised)
        if not words and not any(rule_hits.values()):
            # Nothing the model has seen: empty, gibberish, code, a foreign language.
            return Suggestion(AppealCategory.OTHER, 0.0, (), ())

        # Scores are divided by sqrt(number of known words) before the softmax: without it a
        # long description would make naive Bayes certain of almost anything.
        scale = math.sqrt(max(len(words), 1))
        scores = {}
        for category in self.categories:
            evidence = self.log_prior[category] + sum(self.log_likelihood[w][category] for w in words)
            # One bonus per category however many of its signals fire: a text naming 骑手
            # and 外卖 is not twice as much about platform work as one naming 骑手.
            bonus = RULE_BONUS if rule_hits[category] else 0.0
            scores[category] = evidence / scale + bonus
        probabilities = _softmax(scores)
        # Ties go to the earlier category in AppealCategory, so the result never depends
        # on dictionary order or hashing.
        ranked = sorted(self.categories, key=lambda c: (-probabilities[c], self.categories.index(c)))
        best = ranked[0]
        return Suggestion(
            category=best,
            confidence=round(probabilities[best], 4),
            alternatives=tuple((c, round(probabilities[c], 4)) for c in ranked[1 : 1 + alternatives]),
            keywords=self._keywords(best, words, rule_hits[best]),
        )

    def _keywords(self, category: AppealCategory, words: Sequence[str], signals: Sequence[str]) -> tuple[str, ...]:
        """The strong signals that fired, then the words that favour ``category`` most."""

        def lift(word: str) -> float:
            row = self.log_likelihood[word]
            others = [row[c] for c in self.categories if c != category]
            return row[category] - max(others)

        whole_words = [w for w in words if not w.startswith("#")]
        favouring = sorted((w for w in whole_words if lift(w) > 0), key=lambda w: (-lift(w), w))
        keywords = list(dict.fromkeys([*signals, *favouring]))
        return tuple(keywords[:6])


def strong_signals(normalised: str) -> dict[AppealCategory, list[str]]:
    """The strong signals in a normalised text, per category, longest match first."""
    hits: dict[AppealCategory, list[str]] = {category: [] for category in AppealCategory}
    taken = [False] * len(normalised)
    for signal, category in _SIGNALS_LONGEST_FIRST:
        start = normalised.find(signal)
        while start != -1:
            end = start + len(signal)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(signal)
                if signal not in hits[category]:
                    hits[category].append(signal)
            start = normalised.find(signal, end)
    return hits


def _softmax(scores: dict[AppealCategory, float]) -> dict[AppealCategory, float]:
    top = max(scores.values())
    exps = {c: math.exp(s - top) for c, s in scores.items()}
    total = sum(exps.values())
    return {c: e / total for c, e in exps.items()}


_default: AppealClassifier | None = None
_default_lock = threading.Lock()


def default_classifier() -> AppealClassifier:
    """The classifier trained on the shipped train split; built once, on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = AppealClassifier(Segmenter()).fit(load_labelled_appeals("train"))
    return _default


def suggest_category(text: str, *, alternatives: int = 3) -> Suggestion:
    """Suggest the category of an appeal from its free-text description (诉求内容)."""
    return default_classifier().suggest(text, alternatives=alternatives)
