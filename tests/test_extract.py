"""The answer step's judgement, on tiny inputs: numbers in any spelling, question types,
what a sentence holds beyond the question, novelty, context, lead-in runs, scoring,
choosing, coverage and confidence. No index, no models."""

from __future__ import annotations

import numpy as np
import pytest

from qa.answer.extract import (
    FEATURES,
    TYPE_HELD,
    abstains,
    around,
    asked,
    bounds_of,
    choose,
    context,
    evidence,
    fitting,
    fitting_first,
    focus,
    head_forms,
    head_said,
    headings,
    joined,
    lead_in_runs,
    needs_type,
    novelty,
    or_before,
    question_head,
    question_terms,
    question_type,
    refer_runs,
    says_terms,
    scores,
    sentence_facts,
    type_match,
    typed_runs,
    year_holds,
)
from qa.numbers import normalize_digits, numbers_in
from qa.text import tokenize


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("１９９５年底", "1995年底"),
        ("一九九五年", "1995年"),
        ("九十四个手工业生产合作社", "94个手工业生产合作社"),
        ("二千三百多万元", "2300多万元"),
        ("一万二千部", "12000部"),
        ("由百分之十五降低到百分之九", "由15%降低到9%"),
        ("５７．１６％", "57.16%"),
        # words that merely contain numerals stay as they are
        ("统一一些", "统一一些"),
        ("万一出事", "万一出事"),
        ("千万不要", "千万不要"),
        ("十分重要", "十分重要"),
    ],
)
def test_normalize_digits(text, want):
    assert normalize_digits(text) == want


def test_numbers_in_any_spelling_are_the_same_number():
    assert numbers_in("１５％") == numbers_in("15%") == numbers_in("百分之十五") == {"15"}
    assert numbers_in("$47,421,748.90") == {"47421748.90"}
    # an approximate count before a measure word: "优质的水仙可以长出多达十余支花箭"
    assert numbers_in("十余支花箭") == {"10"} and numbers_in("十几朵") == {"10"}
    assert numbers_in("五至七朵") == {"7"} and not numbers_in("十分好看")
    # tenths: 增长了三成; not a word that begins with 成 (成员) nor 一成不变
    assert numbers_in("销售额增长了三成") == {"3"} and numbers_in("八成下岗职工") == {"8"}
    assert not numbers_in("欧盟三成员国") and not numbers_in("一成不变")
    # small change: "花一角钱", "五分钱", "一元"; not 一元化, 三角形, 一块地
    assert numbers_in("我花一角钱买了一大碗面") == {"1"} and numbers_in("再花五分钱") == {"5"}
    assert numbers_in("花了一元") == {"1"} and numbers_in("三角钱") == {"3"}
    assert not numbers_in("一元化") and not numbers_in("三角形") and not numbers_in("一块地")


def test_lexical_tokens_match_across_digit_spellings():
    assert "1995" in tokenize("１９９５年底，共有７６个工地", "zh")
    assert "1995" in tokenize("1995年底有多少户？", "zh")


@pytest.mark.parametrize(
    ("question", "lang", "want"),
    [
        ("How many handicraft production cooperatives has Yangquan organized?", "en", "quantity"),
        ("Who was the new Speaker of the House in 1987?", "en", "person"),
        ("When did Truman proclaim the termination of hostilities?", "en", "date"),
        ("Where was the conference held?", "en", "place"),
        ("Which newspaper reported it?", "en", "publication"),
        ("Why did the negotiations with Denmark fail?", "en", "cause"),
        ("How did Yangquan cut defects?", "en", "method"),
        ("What is the Seventh Census?", "en", "other"),
        ("全国成立了多少个中医急症协作组？", "zh", "quantity"),
        ("中共中央专门委员会是哪一年成立的？", "zh", "date"),  # not "几": a date
        ("谁主持了会议？", "zh", "person"),
        ("山东杂技团的哪个节目获得了“金小丑”？", "zh", "publication"),  # a work, by its 《title》
        ("《红嫂》之后他又拍了哪部电影？", "zh", "publication"),
        ("会议在哪里开幕？", "zh", "place"),
        ("为什么农村电价高？", "zh", "cause"),
        ("三都村铁业生产合作社是怎样减少次品的？", "zh", "method"),
        ("What problems arose in the new cooperatives?", "en", "list"),
        ("Which advanced experiences were promoted?", "en", "list"),
        ("What does the county plan?", "en", "other"),  # a verb, not a plural
        ("东北各地厂矿推广了哪些先进经验？", "zh", "list"),
        ("哪些人参加了会议？", "zh", "person"),  # people before a list
        ("What do officials fear will happen?", "en", "other"),  # "officials" is the subject
        ("What happens to the groups?", "en", "other"),  # a verb
        ("What surplus did the cooperative have?", "en", "quantity"),  # -us, an amount
        ("What was the unemployment rate in 1987?", "en", "quantity"),
        ("What interest rate did the loan carry?", "en", "quantity"),  # a rate, its kind first
        ("What were the entire expenditures of the Department in 1896?", "en", "quantity"),
        ("What was the public debt in 1868?", "en", "quantity"),
        ("What kind of budget did Nixon submit?", "en", "other"),
        ("推广先进经验中存在哪些问题？", "zh", "list"),  # 存在哪些 asks no place
        ("会议在哪举行？", "zh", "place"),
        ("战后日本经济的第三期称为什么时期？", "zh", "other"),  # 称为 + 什么, not 为什么
        ("阿富汗坠毁客机的机长叫什么名字？", "zh", "person"),  # a name
        ("工人表面上学习实际上不学的现象叫什么？", "zh", "other"),  # a term, not a name
        # 哪几 asks which ones, not how many: a body, people, days or a list
        ("湖北车桥公司１９９６年兼并了哪几家企业？", "zh", "person"),
        ("新年音乐会由哪几位指挥家指挥？", "zh", "person"),
        ("航线每周哪几天有航班？", "zh", "date"),
        ("他们从哪几个方面加强廉政建设？", "zh", "list"),
        ("全国有几家企业参加？", "zh", "quantity"),
    ],
)
def test_question_type(question, lang, want):
    assert question_type(question, lang) == want


def test_a_number_the_question_already_holds_is_no_answer():
    question = "1995年底南昌有多少户居民未得到及时安置？"
    restates = sentence_facts("１９９５年底，南昌的拆迁户问题十分突出。", "zh")
    answers = sentence_facts("１９９５年底，共有７６个工地９８７４户居民未得到及时安置。", "zh")
    assert type_match(restates, asked(question, "zh")) == 0.0
    assert type_match(answers, asked(question, "zh")) == 1.0


def test_a_dates_numbers_count_no_quantity():
    """A byline's "１月２０日电" or a calendar year answers no "how many"; a duration does."""
    from qa.answer.extract import calendar_numbers

    assert calendar_numbers("新华社北京１月２０日电，１９９７年１２月１８日", "zh") == {
        "1", "20", "1997", "12", "18"}  # fmt: skip
    assert calendar_numbers("他开出租车已经20年了", "zh") == set()
    assert calendar_numbers("the year ending June 30, 1850, sold 1,850 acres", "en") == {
        "30", "1850"}  # fmt: skip
    # ordinals: "May 26th, 1824", "the 3d of March", "the 30th day of June"
    assert calendar_numbers("the act of May 26th, 1824, and those of the 3d of March", "en") == {
        "26", "1824", "3"}  # fmt: skip
    assert calendar_numbers("On the 30th day of June last, 300,000 calls", "en") == {"30"}
    assert calendar_numbers("the 4th regiment fought 3 days", "en") == set()
    assert calendar_numbers("古埃及第六王朝（公元前２３００年）", "zh") == {"2300"}
    q = asked("夏商周断代工程的总经费是多少？", "zh")
    byline = sentence_facts("本报北京１月１６日讯夏商周断代工程取得阶段性成果。", "zh")
    assert type_match(byline, q) == 0.0
    assert type_match(sentence_facts("工程总经费为１５００万元。", "zh"), q) == 1.0
    years = asked("德桑蒂斯开出租车多少年了？", "zh")
    assert type_match(sentence_facts("他已经开了２０年出租车。", "zh"), years) == 1.0
    assert type_match(sentence_facts("１９９７年１２月１８日，一位客人乘车。", "zh"), years) == 0.0


def test_english_number_words_and_names_count():
    facts = sentence_facts("Yangquan has organized ninety-four cooperatives.", "en")
    assert type_match(facts, asked("How many cooperatives has Yangquan organized?", "en")) == 1.0
    who = "Who was the new Speaker of the House?"
    named = sentence_facts("Please join me in congratulating the Speaker, Jim Wright.", "en")
    assert type_match(named, asked(who, "en")) == 1.0
    unnamed = sentence_facts("There is a new face at this place of honor tonight.", "en")
    assert type_match(unnamed, asked(who, "en")) == 0.0


def test_chinese_people_and_places_come_from_the_tagger():
    facts = sentence_facts("中国中医药学会急诊医学分会主任委员王永炎教授指出。", "zh")
    assert type_match(facts, asked("急诊医学分会主任委员是谁？", "zh")) == 1.0
    place = sentence_facts("第三届美洲国家能源部长会议在委内瑞拉首都加拉加斯开幕。", "zh")
    assert type_match(place, asked("会议在哪里开幕？", "zh")) == 1.0
    # a venue is a place, though the tagger calls it a body
    where = asked("唐岩的书画展在哪里举办？", "zh")
    assert type_match(sentence_facts("唐岩书画展日前在中国革命博物馆开幕。", "zh"), where) == 1.0
    assert type_match(sentence_facts("唐岩书画展日前开幕。", "zh"), where) == 0.0


def test_foreign_names_the_tagger_cuts_up():
    # spelled in transliterating characters right after an office, or either side of a dot
    minister = sentence_facts("菲卫生部长雷奥迪卡说，由于政府提倡停止燃放烟花爆竹。", "zh")
    assert "雷奥迪卡" in minister.named
    assert type_match(minister, asked("菲卫生部长是谁？", "zh")) == 1.0
    dotted = sentence_facts("美国一位名叫理查德·锡德的科学家宣布。", "zh")
    assert "理查德·锡德" in dotted.named
    # not a common word after an office
    assert sentence_facts("部长会议在北京举行。", "zh").named == frozenset()


def test_english_places_after_a_preposition():
    where = asked("Where did the United States maintain squadrons in 1822?", "en")
    seas = "We maintain the usual squadrons on the Mediterranean, the Pacific and the Atlantic."
    assert type_match(sentence_facts(seas, "en"), where) == 1.0  # "on the …" names a place
    assert type_match(sentence_facts("A cruise has been maintained.", "en"), where) == 0.0
    # the preposition may open the sentence
    which = asked("From which country was no reply received?", "en")
    assert sentence_facts("From Spain no reply has come.", "en").places == {"Spain"}
    assert type_match(sentence_facts("From Spain no reply has come.", "en"), which) == 1.0


def test_cause_and_method_markers():
    assert (
        type_match(sentence_facts("由于管理不善，次品增加。", "zh"), asked("为什么？", "zh")) == 1.0
    )
    assert type_match(sentence_facts("次品增加了。", "zh"), asked("为什么？", "zh")) == 0.0
    # Chinese says how with words like 建立, 采取; English "by" and "through" tell nothing
    how = asked("三都村铁业生产合作社是怎样减少次品的？", "zh")
    assert type_match(sentence_facts("该社建立了领发材料制度。", "zh"), how) == 1.0
    assert type_match(sentence_facts("次品增加了。", "zh"), how) == 0.0
    by = sentence_facts("We will protect 3 million jobs by finishing transportation bills.", "en")
    assert type_match(by, asked("How would Obama pay for jobs rebuilding roads?", "en")) == 0.0
    # a method referred back to was said before; one announced with a colon is said here
    after = "武陟县采用这种群众性的互教互学方法以后，迅速地提高了骨干的工作能力。"
    assert type_match(sentence_facts(after, "zh"), how) == 0.0
    assert (
        type_match(sentence_facts("采取了这样一个领导方法：定期举行碰头会议。", "zh"), how) == 1.0
    )
    # a sentence that asks gives no cause or method, though it names one
    why = asked("据默里分析，金价为什么下跌？", "zh")
    assert type_match(sentence_facts("金价下跌的主要原因是什么？", "zh"), why) == 0.0
    assert type_match(sentence_facts("金价下跌的主要原因是美元走强。", "zh"), why) == 1.0
    assert type_match(sentence_facts("Was it because of the war?”", "en"), asked("Why?", "en")) == 0
    assert type_match(sentence_facts("用什么办法？", "zh"), how) == 0.0


def test_novelty_is_low_for_a_restatement_and_high_for_new_content():
    idf = {"defect": 2.0, "yangquan": 3.0, "system": 1.0, "inspect": 1.5}
    q = frozenset({"defect", "yangquan"})
    assert novelty(frozenset({"defect", "yangquan"}), q, idf, 1.0) == 0.0
    assert novelty(frozenset({"system", "inspect"}), q, idf, 1.0) == 1.0
    assert 0 < novelty(frozenset({"defect", "system"}), q, idf, 1.0) < 1
    assert novelty(frozenset(), q, idf, 1.0) == 0.0


def test_a_list_question_wants_an_enumeration():
    q = asked("东北各地厂矿推广了哪些先进经验？", "zh")
    listed = sentence_facts(
        "许多重要的先进经验，如高速切削法、多刀多刃切削法等都已初步推广。", "zh"
    )
    restated = sentence_facts("东北各地厂矿推广先进经验工作是有成绩的。", "zh")
    assert (type_match(listed, q), type_match(restated, q)) == (1.0, 0.0)
    q = asked("What rules did the ironworks introduce?", "en")
    rules = "It set up a requisition system, a responsibility system, and an inspection system."
    assert type_match(sentence_facts(rules, "en"), q) == 1.0
    assert type_match(sentence_facts("The ironworks lost money.", "en"), q) == 0.0


def test_a_newspaper_is_a_publication_with_or_without_title_marks():
    q = asked("这篇评论摘自哪家报纸？", "zh")
    assert type_match(sentence_facts("（摘自天津日报）", "zh"), q) == 1.0
    assert type_match(sentence_facts("（摘自《天津日报》）", "zh"), q) == 1.0
    assert type_match(sentence_facts("要想帮助小组搞好工作。", "zh"), q) == 0.0


def test_bounds_of_groups_runs_of_equal_keys():
    assert bounds_of([0, 0, 1]) == [(0, 2), (0, 2), (2, 3)]
    assert bounds_of([3, 5, 5, 5]) == [(0, 1), (1, 4), (1, 4), (1, 4)]
    assert bounds_of([]) == []


def test_context_looks_at_neighbours_in_the_same_paragraph_only():
    terms = np.array([0.9, 0.1, 0.0, 0.5], dtype=np.float32)
    bounds = [(0, 3)] * 3 + [(3, 4)]
    assert context(terms, bounds).tolist() == pytest.approx([0.1, 0.9, 0.1, 0.0])


def test_a_lead_in_takes_in_the_list_it_announces():
    texts = ["解决问题的方法有两种。", "一种是有组织地传授；", "一种是由有经验的人解答。",
             "这种方法很好。"]  # fmt: skip
    facts = [sentence_facts(t, "zh") for t in texts]
    assert [f.lead_in for f in facts] == [True, False, False, False]
    assert lead_in_runs(facts, [(0, 4)] * 4, max_sentences=4) == [range(0, 3)]
    assert lead_in_runs(facts, [(0, 4)] * 4, max_sentences=2) == [range(0, 2)]
    # never past the chunk
    assert lead_in_runs(facts[:1], [(0, 1)], max_sentences=4) == []
    en = sentence_facts("There are two ways to solve problems.", "en")
    assert en.lead_in


@pytest.mark.parametrize(
    ("text", "lang", "refers"),
    [
        ("经过座谈讨论，该社建立了领发材料制度、责任制和成品检验制。", "zh", True),
        ("他们按老人的意思买了一辆轮椅。", "zh", True),
        ("这种领导方法推行以后，全市手工业生产合作社不断巩固。", "zh", True),
        ("此外，要求各区委员会认真学习。", "zh", False),  # "besides" refers to nothing
        ("如三都村铁业生产合作社由于管理不善，赔了钱。", "zh", False),
        ("After discussion, the cooperative established a material requisition system.", "en",
         True),
        ("It rapidly improved the working ability of the backbone members.", "en", True),
        ("The Yangquan City Handicraft Production Cooperative established a system.", "en",
         False),  # a name opens it
        ("For example, the Sanducun Iron Production Cooperative once lost money.", "en", False),
    ],
)  # fmt: skip
def test_a_sentence_that_refers_back(text, lang, refers):
    assert sentence_facts(text, lang).refers is refers


def test_a_referring_sentence_runs_with_the_one_before_it_in_its_chunk():
    texts = ["如三都村铁业生产合作社赔了钱。", "经过座谈讨论，该社建立了责任制。",
             "他们还盈余五千四百多万元。"]  # fmt: skip
    facts = [sentence_facts(t, "zh") for t in texts]
    assert refer_runs(facts, [(0, 3)] * 3) == [range(0, 2), range(1, 3)]
    # the first sentence of a chunk has nothing before it to run with
    assert refer_runs(facts, [(0, 1), (1, 3), (1, 3)]) == [range(1, 3)]


def test_a_sentence_with_the_asked_cause_runs_with_the_one_before_it():
    texts = ["Today, America is closer to energy independence than in decades.",
             "One of the reasons why is natural gas.", "Gas prices fell."]  # fmt: skip
    facts = [sentence_facts(t, "en") for t in texts]
    assert typed_runs(facts, [(0, 3)] * 3, "cause") == [range(0, 2)]
    assert typed_runs(facts, [(0, 1), (1, 3), (1, 3)], "cause") == []  # not across chunks
    assert typed_runs(facts, [(0, 3)] * 3, "quantity") == []  # only for why and how
    zh = [
        sentence_facts(t, "zh")
        for t in ("县委立即指示各区进行纠正。", "第一、通过具体事例讲清道理。")
    ]
    assert typed_runs(zh, [(0, 2)] * 2, "method") == [range(0, 2)]


def test_a_sentence_without_the_asked_name_runs_with_the_one_before_that_names_one():
    # a Chinese profile drops the subject after the first sentence: "宿州市委书记是谁？"
    texts = ["赵永生，４８岁，毕业于安徽农学院经济管理系。", "曾任萧县县委书记，现任宿州市委书记。",
             "他说，改革要依靠职工。"]  # fmt: skip
    facts = [sentence_facts(t, "zh") for t in texts]
    assert typed_runs(facts, [(0, 3)] * 3, "person") == [range(0, 2)]
    assert typed_runs(facts, [(0, 1), (1, 3), (1, 3)], "person") == []  # not across chunks
    assert typed_runs(facts, [(0, 3)] * 3, "other") == []


def test_the_names_a_question_holds():
    from qa.answer.extract import names_said, question_names

    assert question_names("Who won the 1954 FIFA World Cup?", "en") == {"FIFA", "World", "Cup"}
    # the first word, months and a possessive's "s" are no names
    assert question_names("How long had the recovery lasted by January 1963?", "en") == set()
    assert question_names("What did Kennedy's tax cut do in 1964?", "en") == {"Kennedy"}
    # a capitalised ordinal is part of a name
    sixth = question_names("Where was the Sixth Conference held?", "en")
    assert sixth == {"Sixth", "Conference"}
    assert names_said(sixth, "the sixth conference met at habana")
    assert not names_said(sixth, "the fourth conference met on the 6th of august")
    assert question_names("龙乐豪是哪所大学毕业的？", "zh") == {"龙乐豪"}
    # jieba glues a particle to the name after it (时华楠): the name is what follows
    assert question_names("孟良崮战役时华楠任什么职务？", "zh") == {"华楠"}
    assert question_names("时传祥是哪里人？", "zh") == {"时传祥"}  # a surname, first
    # a character the tagger calls a surname (自由/a 峰/nr 海拔/n) that is none starts no name
    assert question_names("乞力马扎罗山的主峰自由峰海拔多少米？", "zh") == {"乞力马扎罗山"}
    assert question_names("设计者为邹建军吗？", "zh") == {"邹建军"}  # 邹/nr 建军/n
    # places count, less the common nouns the tagger calls places (城市); organisations
    # take in common nouns (加拿大政府) and are left out
    assert question_names("这座山西城市的手艺人合作组织有多大规模？", "zh") == {"山西"}
    assert question_names("南昌拆迁房每平方米售价是多少？", "zh") == {"南昌"}
    assert question_names("加拿大政府把没收的存款用于哪些项目？", "zh") == set()
    # what a Chinese question quotes is a name: a project, a campaign, a work
    assert question_names("“金鸽工程”一期是哪一年开通的？", "zh") == {"金鸽工程"}
    # not a saying, which has a pause in it: its words are the question's own
    assert question_names("“学而时习之，不亦说乎”出自哪部书？", "zh") == set()
    # a village jieba tags as a common noun
    assert question_names("摆勺村共有多少户村民？", "zh") == {"摆勺村"}
    # a season the tagger calls a place (新春/ns) is none
    assert question_names("香港新春花车巡游有几辆花车参加？", "zh") == {"香港"}
    assert question_names("武陟县培养出多少新的骨干？", "zh") >= {"武陟县"}
    assert "党建" in question_names("《党建》杂志是哪个部门主办的？", "zh")
    article = "state of the union, 1963 (john f. kennedy)\nthe tax cut..."
    assert names_said(frozenset({"Kennedy"}), article)
    assert not names_said(frozenset({"Kennedy", "FIFA"}), article)
    assert names_said(frozenset(), article)
    # a Latin name is a whole word: "Mars" is not said by "Marshall"; plurals count
    assert not names_said(frozenset({"Mars"}), "chief justice marshall said")
    assert names_said(frozenset({"Mars", "Kennedy"}), "life on mars; the kennedys")
    # and a plural name by its singular ("the Floridas"); not a short one ("Adams")
    assert names_said(frozenset({"Floridas"}), "the provinces of east and west florida")
    assert not names_said(frozenset({"Adams"}), "adam smith wrote")
    # a people's or a place's adjective is said by the place's name
    assert names_said(frozenset({"Manchurian"}), "the cities of mukden, in manchuria")
    assert names_said(frozenset({"Mexican"}), "the boundary with mexico")
    assert not names_said(frozenset({"Manchurian"}), "the port of manhattan")
    # and by the places the stem does not give
    assert names_said(frozenset({"American", "British"}), "the united states and great britain")
    assert not names_said(frozenset({"French"}), "the united states and great britain")


def test_a_list_items_number_counts_no_quantity():
    assert sentence_facts("(2) Compensation on public projects.", "en").quantities == frozenset()
    assert sentence_facts("２、发动教育职工。", "zh").quantities == frozenset()
    assert sentence_facts("2.5 million people were employed.", "en").quantities >= {"2.5"}
    assert sentence_facts("3. We spent 40 dollars.", "en").quantities == {"40"}


def test_a_one_that_counts_nothing_and_a_share_in_words():
    biggest = "It turned out to have one of the biggest deficits in history."
    assert sentence_facts(biggest, "en").quantities == frozenset()
    assert sentence_facts("No one was lost; one ship sank.", "en").quantities == {"one"}
    assert "one" in sentence_facts("to help that one-fifth of all families", "en").quantities
    third = sentence_facts("Defense spending is less than a third of the total budget.", "en")
    assert third.quantities == {"a third of"}
    from qa.answer.extract import unit_match

    assert unit_match(third.text, "en", "%")
    assert unit_match("defense was almost half the total budget", "en", "%")
    assert not unit_match("the lowest rate in half a century", "en", "%")
    assert not unit_match("he served a third term", "en", "%")


def test_scores_and_choose():
    feats = np.zeros((3, len(FEATURES)), dtype=np.float32)
    feats[:, FEATURES.index("meaning")] = [0.9, 0.5, 0.88]
    feats[:, FEATURES.index("type")] = [0.0, 1.0, 0.0]
    s = scores(feats, {"meaning": 1.0})
    assert choose(s, relative=0.9, limit=3) == [0, 2]
    s = scores(feats, {"meaning": 1.0, "type": 1.0})
    assert choose(s, relative=0.9, limit=3) == [1]
    assert choose(np.zeros(0), 0.9, 3) == []
    # a run and a sentence inside it quote the same words: the better one only, and the
    # next one that does not overlap takes the freed place
    s = np.array([5.0, 4.9, 4.8, 4.7])
    spans = [("p", 0, 40), ("p", 0, 20), ("p", 40, 60), ("q", 0, 20)]
    assert choose(s, relative=0.0, limit=3, spans=spans) == [0, 2, 3]
    assert choose(s, relative=0.0, limit=3) == [0, 1, 2]
    assert scores(np.zeros((0, len(FEATURES))), {"meaning": 1.0}).shape == (0,)


def test_the_titles_words_weigh_less_in_choosing_the_sentence():
    from qa.answer.extract import title_weighted

    idf = {"yangquan": 4.0, "defect": 2.0}
    assert title_weighted(idf, frozenset({"yangquan", "citi"}), 0.5) == {
        "yangquan": 2.0, "defect": 2.0}  # fmt: skip
    assert title_weighted(idf, frozenset()) == idf


def test_evidence_is_resemblance_alone():
    feats = np.zeros((2, len(FEATURES)), dtype=np.float32)
    feats[0, FEATURES.index("meaning")], feats[0, FEATURES.index("terms")] = 0.5, 1.0
    feats[1, FEATURES.index("passage")] = 1.0  # a top passage that matches nothing
    meaning, terms = feats[:, FEATURES.index("meaning")], feats[:, FEATURES.index("terms")]
    assert evidence(meaning, terms).tolist() == pytest.approx([0.7, 0.0])


def test_abstains_without_evidence_or_without_what_a_typed_question_asks_for():
    feats = np.zeros((2, len(FEATURES)), dtype=np.float32)
    feats[:, FEATURES.index("meaning")] = [0.5, 0.4]
    feats[:, FEATURES.index("type")] = [0.0, 1.0]
    how_many = asked("How many tractors did the county buy?", "en")
    how = asked("How did the county train its cadres?", "en")
    assert abstains(feats, 0, how_many, 0.3, 0.2, need_type=True) == "no_type"  # holds no number
    assert abstains(feats, 1, how_many, 0.3, 0.2, need_type=True) is None
    assert abstains(feats, 0, how_many, 0.3, 0.2, need_type=False) is None
    assert abstains(feats, 0, how, 0.3, 0.2, need_type=True) is None  # a method is often implicit
    assert abstains(feats, 1, how_many, 0.3, 0.9, need_type=True) == "no_evidence"
    assert abstains(feats, 1, how_many, 0.19, 0.2, need_type=True) == "no_evidence"
    assert abstains(np.zeros((0, len(FEATURES))), 0, how, 0.3, 0.2, True) == "nothing_found"
    # a name the answer's article never says, or a year it is not of; the first reason
    # that holds is the one given
    assert abstains(feats, 1, how_many, 0.3, 0.2, need_type=True, names_ok=False) == "no_name"
    assert abstains(feats, 1, how_many, 0.3, 0.2, need_type=True, year_ok=False) == "no_year"
    assert abstains(feats, 0, how_many, 0.3, 0.2, True, year_ok=False, names_ok=False) == "no_year"


def test_a_question_for_one_name_abstains_when_the_answer_names_nobody():
    feats = np.zeros((2, len(FEATURES)), dtype=np.float32)
    feats[:, FEATURES.index("meaning")] = 0.5
    feats[:, FEATURES.index("type")] = [0.0, 1.0]  # the second names someone new
    for q in (
        "Who was the commissioner appointed under the convention with Brazil?",
        "Who introduced the factory's experience at the meeting?",
        "Which company built the Panama Railroad?",
        "那位番禺个体客商在顺德办的企业叫什么名字？",  # a name asked for by the word
        "机长叫什么名字？",
    ):
        one = asked(q, "zh" if "？" in q else "en")
        assert needs_type(one), q
        assert abstains(feats, 0, one, 0.3, 0.2, need_type=True) == "no_type", q
        assert abstains(feats, 1, one, 0.3, 0.2, need_type=True) is None, q
    # a group is answered by a role ("Group leaders and other key members"), and the
    # Chinese tagger misses roles and titles: neither needs a name
    for q, lang in (
        ("Who are the core force of the small group?", "en"),
        ("Who were the first settlers?", "en"),
        ("谁是全小组的核心力量？", "zh"),
    ):
        assert asked(q, lang).qtype == "person", q
        assert not needs_type(asked(q, lang)), q
        assert abstains(feats, 0, asked(q, lang), 0.3, 0.2, need_type=True) is None, q


def test_a_close_candidate_that_holds_the_number_answers_before_abstaining():
    feats = np.zeros((4, len(FEATURES)), dtype=np.float32)
    feats[:, FEATURES.index("type")] = [0.0, 1.0, 1.0, 0.0]
    score = np.array([5.0, 4.5, 4.2, 4.9])
    both = np.ones(4, bool)
    how_many = asked("How many tractors did the county buy?", "en")
    fits = fitting(feats, how_many)
    # the best candidate that fits within the margin goes first, with the others that fit
    assert fitting_first([0, 3], score, fits, 1.0, both) == [1]
    assert fitting_first([0, 3, 2], score, fits, 1.0, both) == [1, 2]
    # none close enough: the order stands, and the abstention rule abstains
    assert fitting_first([0, 3], score, fits, 0.3, both) == [0, 3]
    # in the preferred language when one there is close enough
    only_2 = np.array([True, False, True, True])
    assert fitting_first([0], score, fits, 1.0, only_2) == [2]
    # a first answer that fits, or a question that asks for nothing visible: unchanged
    assert fitting_first([1, 0], score, fits, 1.0, both) == [1, 0]
    how = asked("How did the county train its cadres?", "en")
    assert fitting(feats, how).all()
    assert fitting_first([0, 3], score, fitting(feats, how), 1.0, both) == [0, 3]
    assert fitting_first([], score, fits, 1.0, both) == []
    assert fitting(feats, how_many, need_type=False).all()


def test_a_question_that_names_its_head_needs_a_candidate_that_says_it():
    """The captain's name, not any name: the head noun must be said too."""
    feats = np.zeros((3, len(FEATURES)), dtype=np.float32)
    feats[:, FEATURES.index("type")] = [1.0, 1.0, 0.0]
    feats[:, FEATURES.index("head")] = [0.0, 1.0, 1.0]
    wage = asked("What wage did the projects pay per month?", "en")
    assert fitting(feats, wage).tolist() == [False, True, False]  # a number and "wage"
    assert fitting(feats, wage, need_head=False).tolist() == [True, True, False]
    # a person is preferred when a close candidate names one, but not required to answer
    # in Chinese (needs_type)
    who = asked("谁主持了全国双拥工作电视电话会议？", "zh")
    assert fitting(feats, who).tolist() == [True, True, False]
    feats[:, FEATURES.index("meaning")] = 0.5
    assert abstains(feats, 2, who, 0.3, 0.2, need_type=True) is None
    assert abstains(feats, 1, wage, 0.3, 0.2, need_type=True, head_ok=False) == "no_head"
    assert abstains(feats, 1, wage, 0.3, 0.2, need_type=True, head_ok=True) is None


@pytest.mark.parametrize(
    ("question", "lang", "head"),
    [
        ("阿富汗坠毁客机的机长叫什么名字？", "zh", "机长"),
        ("南昌拆迁房每平方米售价是多少？", "zh", "售价"),
        ("上海的地铁有几条线路？", "zh", "地铁"),
        ("三都村铁业社从四月到六月盈余多少？", "zh", "盈余"),
        ("帮助小组长提高工作能力最主要的方法是什么？", "zh", None),  # names the answer's kind
        ("戴碧蓉住进了哪家医院？", "zh", None),  # a verb before the question word
        ("电影《红嫂》的导演是谁？", "zh", "导演"),  # after 的, whatever jieba tags it (v)
        ("巴西大型生态宾馆的投资是多少？", "zh", "投资"),  # a verbal noun after 的 (vn)
        ("南京东路警署署长是谁？", "zh", "署长"),  # a role jieba tags as a verb
        ("中国篮协副秘书长是谁？", "zh", "副秘书长"),  # a deputy asked for (jieba: 副 / 秘书长)
        ("王承华老人的儿子在哪里工作？", "zh", "儿子"),  # a place question's subject, before 在
        ("哥伦比亚下届总统大选将于哪天举行？", "zh", "总统大选"),  # a date question's, before 将于
        # "…由谁 V？": the role before 由, the role after 任, or V itself
        ("《朗朗星空》的男主角由谁扮演？", "zh", "男主角"),
        ("《三峡放歌》由谁任总导演？", "zh", "总导演"),
        ("全国宣传部长会议由谁主持？", "zh", "主持"),
        # the noun 多少 counts, past its measure word; not a word jieba's tagger guessed
        ("锡山市有多少人口？", "zh", "人口"),
        # but no span of time counted in years or days: the years are the history
        ("德国取消的联邦邮电部有多少年历史？", "zh", None),
        ("法国出土的大型鸟类化石有多少年历史？", "zh", "化石"),
        ("林海峰九段以多少目胜曹薰铉九段？", "zh", None),
        # the kind after 哪个, not the verb before it that jieba tags as a noun
        ("北京华联商厦隶属于哪个集团？", "zh", "集团"),
        ("那位朋友在明信片上写了哪句话？", "zh", "话"),
        ("广东收缴了多少盘非法录像带？", "zh", "录像带"),  # past its measure word and 非法/b
        ("作者是什么时候在乌鲁木齐把记事簿交到马丽华手中的？", "zh", None),  # he says 我
        ("What wage did the emergency public works projects of 1935 pay per month?", "en", "wage"),
        ("What was the steel output of the Anshan company in 1953?", "en", "output"),
        ("What share of railway earnings does labor take?", "en", None),  # any percentage
        ("What was the unemployment rate in 1987 according to Reagan?", "en", "unemployment"),
        ("What policy were the committees asked to implement?", "en", None),  # no quantity
        ("How did Yangquan cut defects?", "en", None),
        # what a cost is asked of: cut at a preposition, and at a name with its verb
        ("What did the armored ships Cleveland described in 1886 cost?", "en", "ships"),
        ("What did the eight Indian treaties of Polk's last four years cost?", "en", "treaties"),
        ("How much will the latest atomic submarines cost?", "en", "submarines"),
        ("How much did it cost?", "en", None),
        ("How large was the deficit in 1984, according to Reagan?", "en", "deficit"),
        ("How much is that?", "en", None),
        # a quantity's kind is no head, as English "amount" or "total"
        ("阿尔巴尼亚高息集资的总额是多少？", "zh", None),
        ("第八届世界游泳锦标赛的奖金总额是多少？", "zh", "奖金"),  # the noun before the kind
        ("多少比例的总经理表示乐观？", "zh", None),  # a share's kind is no head
    ],
)
def test_question_head(question: str, lang: str, head: str | None):
    a = asked(question, lang)  # type: ignore[arg-type]
    assert question_head(question, lang, a.qtype) == head  # type: ignore[arg-type]
    assert a.head == head


def test_a_role_inside_its_buildings_name_is_not_said():
    from qa.answer.extract import office_said

    embassy = "美国国务院副国务卿皮克林和中国驻美国大使馆公使周文重会见时在座。"
    assert not head_said(head_forms("大使", "zh"), "zh", embassy, frozenset())
    assert not office_said("中国驻美国大使", embassy)
    assert office_said("中国驻美国大使", "中国驻美国大使李道豫２８日上午…")
    assert head_said(head_forms("大使", "zh"), "zh", "大使馆参赞和大使出席。", frozenset())


def test_a_deadline_is_a_date():
    deadline = "a peace agreement that defines a Palestinian state by the end of this year."
    assert sentence_facts(deadline, "en").dates == {"by the end of this year"}
    assert sentence_facts("We did more this year than last.", "en").dates == frozenset()


def test_an_office_named_whole():
    assert asked("伊拉克常驻联合国代表是谁？", "zh").office == "伊拉克常驻联合国代表"
    assert asked("中国驻中非共和国大使是谁？", "zh").office == "中国驻中非共和国大使"
    assert asked("中央统战部部长是谁？", "zh").office == "中央统战部部长"
    # not with 的 or a title in quotes, nor a role alone, nor a head that is no role
    assert asked("影片《朗朗星空》的编剧是谁？", "zh").office is None
    assert asked("部长是谁？", "zh").office is None
    assert asked("日本羽毛球公开赛女单冠军是谁？", "zh").office is None


def test_head_said_in_any_of_its_spellings():
    zh = head_forms("设计者", "zh")
    assert head_said(zh, "zh", "由邹建军设计。", frozenset())  # the verb inside the noun
    captain = head_forms("机长", "zh")
    assert not head_said(captain, "zh", "阿富汗一架客机坠毁。", frozenset())  # 机 alone is not
    assert head_said(captain, "zh", "机长名叫某某。", frozenset())
    speed = head_forms("飞行速度", "zh")  # a compound names its kind last
    assert head_said(speed, "zh", "这种飞机的速度很快。", frozenset())
    assert head_said(speed, "zh", "速度很快。", frozenset())
    assert not head_said(speed, "zh", "它的平均速度很快。", frozenset())  # another compound
    deficit = head_forms("预算赤字", "zh")
    assert not head_said(deficit, "zh", "意大利的财政赤字降到１·８％。", frozenset())
    assert head_said(deficit, "zh", "中央预算赤字为５６０亿元。", frozenset())
    assert not head_said(speed, "zh", "飞机以５００公里的时速飞行。", frozenset())
    wage = head_forms("wage", "en")
    assert head_said(wage, "en", "", frozenset(tokenize("Wages rose to $50 a month.", "en")))
    assert not head_said(wage, "en", "", frozenset(tokenize("They paid $50 a month.", "en")))
    assert head_forms(None, "en") == frozenset()
    # a work asked for by its kind is said by its title
    assert head_said(head_forms("书", "zh"), "zh", "正如《论语》所说。", frozenset())
    assert not head_said(head_forms("书", "zh"), "zh", "正如孔子所说。", frozenset())
    # a cast list says who plays whom with another verb of casting
    assert head_said(head_forms("饰演", "zh"), "zh", "由某某饰主角。", frozenset())
    assert not head_said(head_forms("主持", "zh"), "zh", "由某某饰主角。", frozenset())
    minister = head_forms("部长", "zh")  # a deputy is not the role
    assert not head_said(minister, "zh", "联谊会由中央统战部副部长刘延东主持。", frozenset())
    assert head_said(minister, "zh", "中央统战部部长王兆国出席。", frozenset())
    assert head_said(head_forms("副部长", "zh"), "zh", "副部长刘延东主持。", frozenset())


def test_zero_in_words_is_a_quantity():
    assert "0" in sentence_facts("１９９７年拆迁户上访人数为零。", "zh").quantities
    assert "0" not in sentence_facts("工厂生产零件和零售商品。", "zh").quantities


def test_a_year_the_question_names_must_be_the_articles_or_said():
    years = frozenset({1953})
    assert year_holds(frozenset(), False, "Steel output rose.")  # no year asked
    assert year_holds(years, True, "Steel output rose.")  # the article is dated 1953
    assert year_holds(years, False, "In 1953 steel output rose.")
    assert year_holds(years, False, normalize_digits("一九五三年钢产量增加。"))  # any spelling
    assert not year_holds(years, False, "到２０００年钢产量增加。")
    feats = np.zeros((1, len(FEATURES)), dtype=np.float32)
    feats[0, FEATURES.index("meaning")] = 0.9
    how = asked("How did steel output change in 1953?", "en")
    assert abstains(feats, 0, how, 0.3, 0.2, need_type=True, year_ok=False) == "no_year"
    assert abstains(feats, 0, how, 0.3, 0.2, need_type=True, year_ok=True) is None


def test_focus_discounts_terms_every_sentence_holds():
    """The article's name is in most of its sentences: it cannot pick one of them."""
    question = {"wuzhi": 5.0, "meet": 1.0}
    sentences = [frozenset({"wuzhi", "cooper"}), frozenset({"wuzhi", "backbon"}),
                 frozenset({"wuzhi", "meet", "day"})]  # fmt: skip
    f = focus(sentences, question)
    assert f[2] == pytest.approx(1.0) and f[0] == f[1] < 0.5  # plain idf share: 5/6
    assert focus([], question).shape == (0,)
    assert focus(sentences, {}).tolist() == [0.0, 0.0, 0.0]


def test_units_of_quantity_questions():
    from qa.answer.extract import question_unit, unit_match

    assert question_unit("1995年底南昌有多少户居民未得到安置？", "zh") == "户"
    assert question_unit("奖金是多少美元？", "zh") == "美元"
    # 新 is no unit, but 骨干 are people: counted in 人, 名, 位 or 个
    assert question_unit("武陟县培养出多少新的骨干？", "zh") == "人"
    assert question_unit("多少会计员学会了立账记工的办法？", "zh") == "人"
    # users are people too: a share of firms ("５％的企业") counts no users
    assert question_unit("法国有多少因特网用户？", "zh") == "人"
    assert not unit_match("法国只有５％的企业拥有因特网网址", "zh", "人")
    assert unit_match("培养出新的骨干九百四十五人", "zh", "人")
    assert unit_match("七百多个会计员学会了立账记工的办法", "zh", "人")
    assert not unit_match("这种会议五天到七天开一次", "zh", "人")
    assert question_unit("How many acres were sold?", "en") == "acre"
    assert question_unit("How much did exports grow?", "en") is None
    # spending, paying, costing: a sum of money, not a count of ships ('$')
    assert question_unit("How much was spent?", "en") == "$"
    assert question_unit("What did the purchase of Louisiana cost?", "en") == "$"
    assert question_unit("By how much had collections increased?", "en") is None
    # a charge's rate is a sum of money; other rates are percentages
    postage = "To what uniform rate did Taylor recommend reducing single letter postage?"
    assert question_unit(postage, "en") == "$"
    assert question_unit("What interest rate did the loan carry?", "en") == "%"
    # "how many of the…" counts a part of a set: "of" is no unit, and no unit is read
    assert question_unit("How many of the Navy's wooden vessels would serve?", "en") is None
    assert question_unit("How many of the new acres were sold?", "en") is None
    # nor is a verb: "how many more did…" counts what the question named before
    assert question_unit("Beyond the 90 ships, how many more did Congress buy?", "en") is None
    assert question_unit("How many more ships did Congress buy?", "en") == "ship"
    assert unit_match("at a cost of $15,000,000", "en", "$")
    assert unit_match("more than one billion dollars", "en", "$")
    assert unit_match("lost more than 23 million yuan.", "en", "$")
    assert unit_match("10 3/4 cents per animal", "en", "$")
    assert not unit_match("authorizing the building of ten sloops of war", "en", "$")
    assert not unit_match("the dollar is sound", "en", "$")
    # the counted noun as the subject, its number after "numbered", "totaled"
    tagged = "The live beef cattle exported and tagged during the year numbered 353,535."
    assert unit_match(tagged, "en", "live") and unit_match(tagged, "en", "cattle")
    assert not unit_match("The frigates numbered among the best.", "en", "frigat")
    # people counted by role are counted in men, persons, members too; nothing else is
    assert unit_match("Of about 11,000 men of which the Army is composed", "en", "soldie")
    assert unit_match("six hundred members of parliaments", "en", "legisl")
    assert not unit_match("six hundred members", "en", "acre")
    assert unit_match("共有７６个工地９８７４户居民", "zh", "户")
    assert unit_match("至今已连续当了八届。", "zh", "届")  # a lone numeral
    assert question_unit("王沛林老人一共给王磊寄了多少钱？", "zh") == "钱"  # any sum of money
    assert question_unit("河北省政府为张北地震拨款多少救灾？", "zh") == "钱"  # 拨款多少
    assert question_unit("三都村铁业社从四月到六月盈余多少？", "zh") == "钱"
    assert question_unit("刘素芬家去年的收入是多少？", "zh") == "钱"  # the sum as the subject
    assert not unit_match("刘素芬两个月前刚娶了儿媳妇，家里的新家具看不到几件。", "zh", "钱")
    assert not unit_match("张北—尚义发生６·２级地震后", "zh", "钱")
    assert unit_match("光邮寄费就６００元", "zh", "钱") and unit_match("达３０００美元", "zh", "钱")
    assert not unit_match("共有３０００人", "zh", "钱")
    assert unit_match("仅一、二两月份就赔了二千三百多万元", "zh", "钱")  # 2300多万元
    assert unit_match("电费７角多一度", "zh", "钱") and unit_match("５２００万里拉", "zh", "钱")
    assert unit_match("我花一角钱买了一大碗面", "zh", "钱") and unit_match("再花五分钱", "zh", "钱")
    # 多高 / 多深 / 多远 ask for a measure: a length, or the height of a rate or a price
    assert question_unit("彼比一世青铜立像有多高？", "zh") == "长度"
    assert question_unit("会议开了多长时间？", "zh") == "时长"  # a span, not a length
    assert unit_match("该铜像高２英尺，距今约４３００年", "zh", "长度")
    assert unit_match("月息高达２０％—３０％", "zh", "长度")
    assert not unit_match("古埃及第六王朝（公元前２３００年）法老王彼比一世", "zh", "长度")
    # degrees of temperature are written 摄氏度 too
    assert unit_match("气温降至零下３０摄氏度", "zh", "度")
    # 个 as a duration's counter counts no items
    assert not unit_match("四个半小时的节目内容紧扣这一主题", "zh", "个")
    assert not unit_match("留下２２岁的她和９个月的女儿", "zh", "个")
    assert unit_match("她家的３亩山地散在５个地方", "zh", "个")
    assert not unit_match("火警发生四个多小时后", "zh", "个")
    assert question_unit("广东收缴了多少盘非法录像带？", "zh") == "盘"
    assert not unit_match("先后收缴光盘６００多万张", "zh", "盘")
    assert question_unit("有多少盘子？", "zh") is None
    # teams are counted in 支, and a 代表队 is no representative
    teams = "第六届红星御杯足球赛共有多少支代表队参加？"
    assert question_unit(teams, "zh") == "支" and question_unit("有多少支持者？", "zh") is None
    assert unit_match("本届比赛共有７６支代表队参加", "zh", "支")
    # copies are counted in 份, and the years a sentence counts are none
    circulation = "《环球时报》１９９７年的发行量是多少份？"
    assert question_unit(circulation, "zh") == "份" and question_unit("占多少份额？", "zh") != "份"
    assert unit_match("签订了１１７份合同", "zh", "份")
    assert not unit_match("创刊五年来，其发行量连年递增", "zh", "份")
    # a span counted with 个 is asked for by it: "多少个工作日", "几个月" (not March)
    assert question_unit("他在风雪中工作了多少个工作日？", "zh") == "工作日"
    assert unit_match("你在风雪中足足工作了２２个工作日", "zh", "工作日")
    assert question_unit("他住了几个月？", "zh") == "月"
    assert unit_match("住了三个多月", "zh", "月") and not unit_match("三月底", "zh", "月")
    assert unit_match("四个半小时的节目", "zh", "小时")
    # "几点" asks for a time of day, not a count of points or hours
    assert question_unit("北角商住大厦的大火是几点被扑灭的？", "zh") == "时刻"
    assert unit_match("大火已于傍晚六时四十四分被扑灭。", "zh", "时刻")
    assert unit_match("晚会十二点半开始", "zh", "时刻")
    assert not unit_match("他提出三点意见", "zh", "时刻")
    assert not unit_match("火警发生四个多小时后将大火扑灭", "zh", "时刻")
    # "多久" asks how long or how often: a span, or a frequency without a number
    often = asked("《视点》专版多久与读者见面一次？", "zh")
    assert often.unit == "时长"
    biweekly = sentence_facts(
        "《视点》是人民日报评论部主办的专版，隔周星期日在此与读者见面。", "zh"
    )
    assert type_match(biweekly, often) == 1.0
    assert unit_match("约１５个小时的紧急抢修", "zh", "时长")
    assert unit_match("每半月召开一次小组会", "zh", "时长")
    assert not unit_match("１９９７年召开", "zh", "时长")  # a calendar year is no span
    assert not unit_match("将于１月１０日拉开序幕", "zh", "时长")  # nor a date's day
    assert unit_match("比赛将历时一个半月。", "zh", "时长")
    long_ago = asked("包起帆担任经理已有多长时间？", "zh")
    assert type_match(sentence_facts("包起帆担任经理已有一年半的时间了。", "zh"), long_ago) == 1.0
    assert type_match(sentence_facts("一年来工作很忙。", "zh"), long_ago) == 0.0
    assert type_match(sentence_facts("专版与读者见面了。", "zh"), often) == 0.0
    # "How often…?" too: a frequency, with or without a number; another number is no answer
    en_often = asked("How often was a new college founded, according to Johnson in 1968?", "en")
    assert en_often.unit == "often"
    weekly = sentence_facts("A new college is founded every week.", "en")
    assert type_match(weekly, en_often) == 1.0
    graduates = sentence_facts("Today 1,500 of the high school graduates go on to college.", "en")
    assert type_match(graduates, en_often) < TYPE_HELD
    assert unit_match("The meetings are held once every five to seven days.", "en", "often")
    assert unit_match("They meet annually.", "en", "often")
    assert not unit_match("It cost $5 billion last year.", "en", "often")
    # "How long…?" is answered by a span that may hold no digit
    long = asked("Within how long of his term's end did he speak?", "en")
    assert type_match(sentence_facts("He spoke within a fortnight of it.", "en"), long) == 1.0
    assert type_match(sentence_facts("He spoke at the end of it.", "en"), long) < TYPE_HELD
    # a span of years is counted in 年, a calendar year is not one
    assert not unit_match("欧洲文化之都活动始于１９８５年", "zh", "年")
    assert unit_match("斯德哥尔摩市有８００多年的历史", "zh", "年")
    assert not unit_match("共３０分钟", "zh", "钱")
    assert not unit_match("１９２２年设立了这个奖", "zh", "美元")
    assert unit_match("sales amount to 9,227,878 acres", "en", "acre")
    assert not unit_match("the acres of the West", "en", "acre")
    # a rate or share is answered by a percentage
    assert question_unit("What was the unemployment rate in 1987?", "en") == "%"
    assert question_unit("农村人口所占比例是多少？", "zh") == "%"
    # "how many" counts its noun, whatever rate the question names
    assert question_unit("How many Americans paid the top tax rate in 1986?", "en") == "americ"
    assert unit_match("the rate fell to 5.7 percent", "en", "%")
    assert unit_match("失业率为百分之五", "zh", "%") and unit_match("降低了三成", "zh", "%")
    assert not unit_match("the lowest rate in nearly 7 years", "en", "%")


def test_measure_words_and_the_counted_noun():
    """A Chinese counter names what is counted (not the first character of a longer word),
    and an English quantity question's counted noun is the plural after its modifiers."""
    from qa.answer.extract import COUNTED_ONLY, asked, question_counted, question_unit, type_match

    assert question_unit("张北尚义地震中有多少头牲畜死亡？", "zh") == "头"
    assert question_unit("工程用了多少小时？", "zh") == "小时"
    assert question_unit("国有林区集中了我国多少天然林资源？", "zh") is None  # 天然, no 天
    assert question_unit("有多少本地企业？", "zh") is None
    quake = asked("张北尚义地震中有多少头牲畜死亡？", "zh")
    assert type_match(sentence_facts("一场６·２级地震降临到张北。", "zh"), quake) == 0.5
    assert type_match(sentence_facts("死亡牲畜１．２万头。", "zh"), quake) == 1.0
    # people counted by the noun itself, a modifier between: "４万多长期用户"
    users = asked("“瀛海威时空”拥有多少长期用户？", "zh")
    assert users.unit == "人" and users.counted == "用户"
    assert type_match(sentence_facts("拥有４万多长期用户。", "zh"), users) == COUNTED_ONLY
    assert type_match(sentence_facts("网络已开通３年。", "zh"), users) == 0.5  # no users
    assert type_match(sentence_facts("网络在１９９５年开通。", "zh"), users) == 0.0

    q = "How many new wildlife refuges were added under Eisenhower?"
    assert question_unit(q, "en") == "wildli" and question_counted(q) == "refuge"
    assert question_counted("How many live beef cattle were exported?") == "cattle"
    assert question_counted("How many acres were sold?") is None  # the unit already
    refuges = asked(q, "en")
    said = sentence_facts("Thirty-five new refuges have been added to the system.", "en")
    whole = sentence_facts("Thirty-five wildlife refuges have been added.", "en")
    other = sentence_facts("Thirty-five parks have been added.", "en")
    assert type_match(whole, refuges) == 1.0
    assert type_match(other, refuges) < type_match(said, refuges) < 1.0
    row = np.zeros((1, len(FEATURES)))
    row[0, FEATURES.index("type")] = type_match(said, refuges)
    assert abstains(row, 0, refuges, 1.0, 0.2, True) is None  # the refuges are counted
    row[0, FEATURES.index("type")] = type_match(other, refuges)
    assert abstains(row, 0, refuges, 1.0, 0.2, True) == "no_type"


@pytest.mark.parametrize(
    ("sentence", "people"),
    [("这套邮票的设计者为邹建军。", {"邹建军"}),  # tagged 邹/nr 建军/n
     ("这套特种邮票的设计者为王虎鸣、马刚。", {"王虎鸣", "马刚"}),  # 王/nr 虎鸣/nrt
     ("王说了这件事。", set())],  # a verb of one character is no given name
)  # fmt: skip
def test_a_surname_jieba_splits_off_is_joined_to_its_given_name(sentence, people):
    """A who-question's answer must name someone: "这套邮票的设计者为邹建军。" named nobody
    while jieba's one-character surname counted as no name."""
    found = sentence_facts(sentence, "zh").people
    assert found >= people and (found or not people)
    assert not any(len(p) == 1 for p in found)
    who = asked("这套邮票的设计者是谁？", "zh")  # 设计者, a role, is in the question
    assert type_match(sentence_facts(sentence, "zh"), who) == float(bool(people))


def test_a_chinese_role_answers_who():
    """Who-questions like "领导者到基层后应该依靠谁？" are answered by a role, "小组长等骨干",
    which jieba tags as a common noun."""
    who = asked("领导者到基层后应该依靠谁？", "zh")
    assert type_match(sentence_facts("要很好地依靠小组长等骨干力量。", "zh"), who) == 1.0
    assert type_match(sentence_facts("要认真学习中央的决议。", "zh"), who) == 0.0
    # a byline's reporter is never the answer
    assert "记者" not in sentence_facts("新华社记者报道。", "zh").people
    # nor the outlet the reporter writes for
    chaired = asked("全国宣传部长会议由谁主持？", "zh")
    byline = "本报北京１月１５日讯中央人民广播电台记者魏赤娅报道：全国宣传部长会议在北京举行。"
    assert type_match(sentence_facts(byline, "zh"), chaired) == 0.0
    assert type_match(sentence_facts("会议由丁关根主持。", "zh"), chaired) == 1.0


def test_a_role_or_a_body_does_not_answer_who_holds_a_role():
    """The question "…邮票的设计者是谁？" wants a name. The lead sentence that restates the question
    holds a role ("总设计师") and the issuing ministry ("邮电部"), neither of which is the
    designer; the next sentence's "邹建军" is."""
    who = asked("邓小平逝世一周年纪念邮票的设计者是谁？", "zh")
    assert who.role_head
    lead = sentence_facts("邮电部发行《总设计师邓小平同志逝世一周年》纪念邮票。", "zh")
    assert {"邮电部", "设计师"} & lead.people  # counted as people for other questions
    assert type_match(lead, who) == 0.0
    assert type_match(sentence_facts("这套邮票的设计者为邹建军。", "zh"), who) == 1.0
    assert not asked("领导者到基层后应该依靠谁？", "zh").role_head  # a role answers that one


def test_a_name_made_of_the_questions_words_is_no_answer():
    """'Which company built the Panama Railroad…?' is not answered by 'the Panama Railroad
    Company', nor by 'the General Government', a title before no name."""
    which = asked("Which company built the Panama Railroad in 1856?", "en")
    said = sentence_facts("The sum is payable by contract to the Panama Railroad Company.", "en")
    assert type_match(said, which) == 0.0
    assert (
        type_match(
            sentence_facts("It was built by Aspinwall & Co. for William Aspinwall.", "en"), which
        )
        == 1.0
    )
    assert not sentence_facts(
        "…either by the State or by the General Government of New Granada.", "en"
    ).people
    assert sentence_facts("President Lincoln spoke.", "en").people == {"Lincoln"}
    # a year the question does not name is a new date
    when = asked("When will the Social Security Trust Fund be exhausted?", "en")
    assert type_match(sentence_facts("The fund will be exhausted in 2032.", "en"), when) == 1.0


def test_a_day_of_this_month_is_a_date():
    """A question for the day ("哪天…提出建议？") is answered by "于本月１２日…提出", a day of the month the article
    is dated in; a count of days is none."""
    which_day = asked("布莱尔政府哪天与爱尔兰提出北爱和平共同建议？", "zh")
    assert which_day.qtype == "date"
    said = sentence_facts("布莱尔政府于本月１２日与爱尔兰提出一项北爱和平共同建议。", "zh")
    assert type_match(said, which_day) == 1.0
    assert type_match(sentence_facts("和谈已持续了１２天。", "zh"), which_day) == 0.0


def test_a_day_of_the_week_answers_which_day():
    which_day = asked("《经济周刊》每周哪天出版？", "zh")
    assert type_match(sentence_facts("《经济周刊》每周一出版。", "zh"), which_day) == 1.0
    assert type_match(sentence_facts("《经济周刊》每周一次。", "zh"), which_day) == 0.0
    assert type_match(
        sentence_facts("It meets every Monday.", "en"), asked("When does it meet?", "en")
    )


def test_a_question_for_the_year_wants_a_year():
    """ "“金鸽工程”一期是哪一年开通的？" is not answered by the byline's "１月１７日"."""
    which_year = asked("“金鸽工程”一期是哪一年开通的？", "zh")
    assert which_year.year_asked
    byline = sentence_facts("本报杭州１月１７日电记者袁亚平报道：如今只要你轻击键盘。", "zh")
    assert type_match(byline, which_year) == 0.0
    assert type_match(sentence_facts("该工程于１９９６年开通。", "zh"), which_year) == 1.0
    # a question for the day still takes the day
    which_day = asked("“金鸽工程”是哪天开通的？", "zh")
    assert type_match(byline, which_day) == 1.0
    # a day alone is a date too, a count of working days is not
    assert (
        type_match(sentence_facts("二十六日，北京地坛春节文化庙会拉开帷幕。", "zh"), which_day)
        == 1.0
    )
    assert not sentence_facts("你在风雪中足足工作了２２个工作日", "zh").dates
    in_what_year = asked("In what year was the canal opened?", "en")
    assert type_match(sentence_facts("It opened on June 3.", "en"), in_what_year) == 0.0
    assert type_match(sentence_facts("It opened in 1914.", "en"), in_what_year) == 1.0


def test_a_chinese_question_for_a_body_by_its_kind_wants_a_name_of_one():
    """A question for "哪家医院" is answered by a hospital's name ("湖南省肿瘤医院"), not by "这家医院" that
    restates it; "哪所学校" by a name shortened to 院; "哪个机构" by any body's name."""
    from qa.answer.extract import body_names

    q = asked("戴碧蓉住进了哪家医院？", "zh")
    assert q.qtype == "person" and q.body == "医院" and needs_type(q)
    restated = sentence_facts("戴碧蓉被确诊患了宫颈癌，住进这家医院的。", "zh")
    named = sentence_facts("她住进了湖南省肿瘤医院。", "zh")
    assert type_match(restated, q) == 0.0 and type_match(named, q) == 1.0
    school = sentence_facts("委托山东矿院在东滩设立了分院", "zh")
    assert "山东矿院" in body_names(school, "学校")
    gift = sentence_facts("中华慈善总会接受了广州赛马会捐款１００万元；", "zh")
    assert "广州赛马会" in body_names(gift, "机构")
    # a verbal noun between the name and its kind, but not a kind with a verbal noun alone
    survey = sentence_facts("这项调查是由世界经济论坛和沃特豪斯咨询公司进行的。", "zh")
    assert any(n.endswith("咨询公司") and len(n) > 4 for n in body_names(survey, "公司"))
    assert not body_names(sentence_facts("他开了一家咨询公司。", "zh"), "公司")
    said = sentence_facts("各界人士今天举行了仪式。", "zh")
    assert not body_names(said, "机构")  # 举行 is a verb, not a bank (行)
    assert asked("他住进了医院吗？", "zh").body is None
    # a count between 哪 and the measure word: both founders are bodies
    two = asked("海口实验中学是由哪两个单位联合创办的？", "zh")
    assert two.qtype == "person" and two.body == "单位"
    founders = sentence_facts("该校是由海口市教育局和苏州铁道师范学校联合创办的。", "zh")
    assert type_match(founders, two) == 1.0
    assert (
        type_match(sentence_facts("在海口市，提到海口实验中学，人们都啧啧称赞。", "zh"), two) == 0.0
    )
    # the kind itself names no hospital, though it ends in the short form 院
    assert not body_names(sentence_facts("他出任郑州市管城中医院癫痫病专科主任。", "zh"), "医院")
    # a hotel, by its name or by a name in quotation marks before its kind; a hotel is not
    # named by a sentence that names the host and the event alone
    hotel = asked("北京市总工会的迎春茶话会是在哪家宾馆举行的？", "zh")
    assert hotel.body == "宾馆" and needs_type(hotel)
    host = sentence_facts("北京市总工会今天下午举行迎春茶话会，近百名劳动模范欢聚一堂。", "zh")
    assert type_match(host, hotel) == 0.0
    assert type_match(sentence_facts("庆祝会在西昌市腾云楼宾馆举行。", "zh"), hotel) == 1.0
    quoted = sentence_facts("华人文化中心今天在这里的“友谊”饭店举行盛大酒会。", "zh")
    assert body_names(quoted, "饭店") == {"“友谊”饭店"}
    assert not body_names(sentence_facts("实施“双优发展战略”即以市场为导向。", "zh"), "单位")


def test_a_possessive_before_the_asked_noun():
    """A question for "Elaine Kinslow's salary" asks for a number and for the salary, as "What
    was the unemployment rate…?" does; a name's possessive is not the noun."""
    q = asked("What was Elaine Kinslow's salary as a dispatcher?", "en")
    assert q.qtype == "quantity" and q.head == "salary"
    assert asked("What is the nation's population?", "en").head == "population"
    assert asked("What was Lincoln's plan?", "en").qtype == "other"


def test_an_item_of_an_enumeration_answers_a_list_question():
    """A question for "…原因有哪些？" is answered by "二是…劳动条件差…", one item of the list the article
    spreads over paragraphs, not only by a sentence that lists them all."""
    q = asked("个体私营企业工伤事故多的原因有哪些？", "zh")
    assert q.qtype == "list"
    item = sentence_facts("二是个体私营企业劳动条件差，设备简陋。", "zh")
    plain = sentence_facts("个体私营企业工伤事故频繁发生。", "zh")
    assert type_match(item, q) == 1.0 and type_match(plain, q) == 0.0


def test_a_question_for_a_post_wants_a_title_the_question_does_not_say():
    """A question for "…担任什么职务？" is answered by a title ("主任"), not by the sentence restating what
    the question says of the person; the verbs of asking (担任, 职务) are no terms an answer
    must share, so "ＴＣＬ集团董事长" alone can answer."""
    q = asked("主张进一步完善广东商品市场的这篇文章，作者担任什么职务？", "zh")
    assert q.qtype == "post"
    restated = sentence_facts(
        "今后要继续实行“谁投资谁受益谁所有”的政策，进一步完善商品市场。", "zh"
    )
    titled = sentence_facts("（作者为广东省贸易委员会主任）", "zh")
    assert type_match(restated, q) == 0.0 and type_match(titled, q) == 1.0
    assert {"担任", "职务"}.isdisjoint(question_terms(q.text, "zh"))
    # an occupation too: "职业" is what is asked, no noun an answer must say
    job = asked("恩米的职业是什么？", "zh")
    assert job.qtype == "post" and job.head is None
    engineer = sentence_facts("恩米是西班牙首都马德里的一位电脑工程师。", "zh")
    assert type_match(engineer, job) == 1.0
    assert type_match(sentence_facts("我是西班牙的恩米。", "zh"), job) == 0.0
    assert "担任" in question_terms("谁担任了这次比赛的裁判长？", "zh")  # not asked for a post
    # a title the question already says is no answer
    chair = asked("这位董事长还担任什么职务？", "zh")
    assert type_match(sentence_facts("这位董事长很忙。", "zh"), chair) == 0.0


def test_a_question_for_the_name_of_someone_wants_a_name():
    """A question for "the name of the envoy…" asks for one person by name, as "Who was…?"
    does: a sentence that gives only a title ("its secretary of state") holds none."""
    q = asked("What was the name of the envoy the Samoan Islands sent in 1877?", "en")
    assert q.qtype == "person" and needs_type(q)
    titled = sentence_facts(
        "The Government of the Samoan Islands has sent an envoy, in the person of its "
        "secretary of state, to invite the Government of the United States.",
        "en",
    )
    named = sentence_facts("The envoy, Albert Steinberger, was received.", "en")
    assert type_match(titled, q) == 0.0 and type_match(named, q) == 1.0


def test_a_chinese_question_for_one_country_wants_a_place_by_name():
    """A question for "哪个国家" abstains when the first answer names no place, as one
    for "哪家医院" does without a hospital's name."""
    q = asked("北京首钢队外援阿尔斯通来自哪个国家？", "zh")
    assert q.qtype == "place" and needs_type(q)
    assert not needs_type(asked("会议在哪里举行？", "zh"))  # "where" is often implicit
    shot = sentence_facts("外援阿尔斯通先后投中５个三分球。", "zh")
    iran = sentence_facts("去年５月１０日发生在伊朗的地震伤亡最为严重。", "zh")
    assert type_match(shot, q) == 0.0 and type_match(iran, asked("地震发生在哪个国家？", "zh"))


def test_a_sentence_referred_back_to_is_quoted_with_the_referring_one():
    """Rows 0-2 are sentences of one paragraph, row 3 the referring run of 1 and 2: chosen
    and allowed to extend, sentence 1 is quoted as the run, keeping its own rank."""
    from qa.answer.extract import with_referring

    spans = [("p", 0, 10), ("p", 10, 20), ("p", 20, 30), ("p", 10, 30)]
    refers = [False, False, False, True]
    assert with_referring([1, 0], spans, refers, [True] * 4) == [(3, 1), (0, 0)]
    assert with_referring([1, 0], spans, refers, [False] * 4) == [(1, 1), (0, 0)]
    # the run would overlap sentence 2, quoted first: sentence 1 stays alone
    assert with_referring([2, 1], spans, refers, [True] * 4) == [(2, 2), (1, 1)]
    assert with_referring([], spans, refers, [True] * 4) == []


def test_a_sentence_that_says_what_the_one_before_was_is_quoted_with_it():
    """The answer to "农业改革和发展的第一次飞跃是什么？" is in the sentence before "这是农业改革…"
    (it says what that one was): chosen, it is quoted as the run that ends where it does,
    for any question; a sentence that does not point back stays alone."""
    from qa.answer.extract import back_runs, with_referring

    texts = ["实际上就是在土地公有的原则下实行家庭经营。", "这是农业改革和发展的第一次飞跃。",
             "That is why efforts to reduce armies have failed.", "That year was hard."]  # fmt: skip
    facts = [sentence_facts(t, "zh" if i < 2 else "en") for i, t in enumerate(texts)]
    assert [f.points_back for f in facts] == [False, True, True, False]
    assert back_runs(facts[:2], [(0, 2)] * 2) == [range(0, 2)]
    assert back_runs(facts[:2], [(0, 1), (1, 2)]) == []  # not across its range's edge
    spans = [("p", 0, 10), ("p", 10, 20), ("p", 0, 20)]
    refers = [False, False, True]
    never = [False] * 3
    assert with_referring([1], spans, refers, never, [False, True, False]) == [(2, 1)]
    assert with_referring([1], spans, refers, never, [False] * 3) == [(1, 1)]
    # the sentence before is already quoted: the chosen one stays alone
    assert with_referring([0, 1], spans, refers, never, [False, True, False]) == [(0, 0), (1, 1)]


def test_later_answers_from_another_article_must_fit_and_be_about_the_question():
    from qa.answer.extract import LATER_EVIDENCE, later_answers

    articles = ["a", "a", "b", "b", "c"]
    evidence = np.array([0.5, 0.1, 0.5, 0.5 * LATER_EVIDENCE - 0.01, 0.6])
    fits = np.array([True, False, True, True, False])
    named = np.ones(5, dtype=bool)
    # the first answer's article keeps its answers whatever they hold; another article's
    # must fit the question and be about it nearly as much as the first
    assert later_answers([0, 1, 2, 3, 4], articles, evidence, fits, named) == [0, 1, 2]
    # an article that never says the question's names gives no later answer, even the
    # first answer's own; the first answer stays for the abstention rules to judge
    named[1] = named[0] = False
    assert later_answers([0, 1, 2], articles, evidence, fits, named) == [0, 2]
    assert later_answers([], articles, evidence, fits, named) == []


def test_only_how_and_why_answers_without_their_type_extend():
    from qa.answer.extract import extending

    rows = np.zeros((2, len(FEATURES)))
    rows[1, FEATURES.index("type")] = 1.0
    how = asked("三都村铁业生产合作社是怎样减少次品的？", "zh")
    assert extending(rows, how).tolist() == [True, False]
    assert not extending(rows, asked("三都村亏损了多少钱？", "zh")).any()


def test_the_noun_a_chinese_question_counts_is_no_name():
    """jieba tags "多少钱建希望小学" as 多少/m 钱建/nr; the question names 黄斌 alone, so an
    article that never says "钱建" is not ruled out."""
    assert asked("黄斌捐出多少钱建希望小学？", "zh").names == frozenset({"黄斌"})


def test_how_old_is_answered_by_an_age():
    """A question for "How old was…?" is answered by an age, not by any number the sentence holds."""
    q = asked("How old was Judge Anthony Kennedy when Reagan nominated him?", "en")
    assert q.qtype == "quantity" and q.unit == "age"
    nominees = sentence_facts("I urge the Senate to confirm Judge Kennedy and 27 nominees.", "en")
    assert type_match(nominees, q) == 0.5  # a number, but no age: abstains (no_type)
    assert type_match(sentence_facts("Judge Kennedy, 51 years old, is a jurist.", "en"), q) == 1.0
    assert type_match(sentence_facts("She died at the age of eighty.", "en"), q) == 1.0


def test_who_questions_read_a_role_jieba_tags_as_a_verbal_noun():
    """The question "田亮的教练是谁？" asks about the coach (教练/vn): a first answer whose chunk never says
    教练 abstains (no_head) instead of naming the diver who beat him."""
    assert asked("田亮的教练是谁？", "zh").head == "教练"
    assert asked("他的工作是什么？", "zh").head is None  # not for what-questions


def test_a_time_of_day_jieba_tags_as_a_name_names_no_one():
    """The sentence "…主席会议今天下午在北京举行。" (今天下午/nr) does not answer "…由谁主持？"."""
    q = asked("政协第八届全国委员会第五十一次主席会议由谁主持？", "zh")
    held = sentence_facts("政协第八届全国委员会第五十一次主席会议今天下午在北京举行。", "zh")
    chaired = sentence_facts("中共中央政治局常委、全国政协主席李瑞环主持会议。", "zh")
    assert type_match(held, q) == 0.0 and type_match(chaired, q) == 1.0


def test_which_noun_names_what_an_english_question_asks_about():
    q = "Which strike did Nixon cite as a case of irresponsible labor tie-up?"
    assert asked(q, "en").head == "strike"
    # the type says it for a newspaper: 《人民日报》 never says "newspaper"
    assert asked("Which newspaper was the commentary excerpted from?", "en").head is None
    # a plural too, but places are answered by their names ("Cuba and Libya")
    forts = asked("Which forts did the Mormons vacate and burn down?", "en")
    assert forts.qtype == "list" and forts.head == "forts"
    assert asked("Which countries did Reagan name as exporters of terrorism?", "en").head is None


def test_a_question_s_own_words_leave_out_its_names_numbers_and_question_words():
    assert question_terms("Why did Wilson oppose women's suffrage in 1915?", "en") == {
        "oppos", "suffrag", "women"
    }  # fmt: skip
    assert question_terms("王国栋的父亲为什么住院？", "zh") == {"父亲", "住院"}
    assert question_terms("How many acres did Congress grant?", "en") == {"acr", "grant"}
    # nor the phrases that attribute the fact or ask for a date
    statue = (
        "In what year was the Statue of Liberty given to the United States, according to Nixon?"
    )
    assert question_terms(statue, "en") == {"given"}
    assert "year" in question_terms("What was the revenue of the fiscal year?", "en")


def test_a_sentence_must_say_one_of_the_question_s_words_when_it_has_two():
    terms = question_terms("Why did Wilson oppose women's suffrage in 1915?", "en")
    receipts = frozenset(tokenize("The total estimated receipts for the year 1916", "en"))
    assert not says_terms(terms, receipts)
    assert says_terms(terms, frozenset(tokenize("Women should vote.", "en")))
    # one word is not enough to judge by: "《航向天堂》的作者是谁？" is answered by "拜涅的《航向天堂》"
    one = question_terms("《航向天堂》的作者是谁？", "zh")
    assert one == {"作者"} and says_terms(one, frozenset({"拜涅"}))


def test_a_sentence_after_one_that_says_the_question_s_words_says_them_too():
    """Within a paragraph only: [said, not, not | not, said]."""
    bounds = bounds_of([0, 0, 0, 1, 1])
    flags = np.array([True, False, False, False, True])
    assert or_before(flags, bounds).tolist() == [True, True, False, False, True]


def test_a_headline_is_a_lone_paragraph_without_closing_punctuation():
    texts = [
        "大力加强法学研究推进依法治国进程",  # a paragraph of its own: a headline
        "本报北京１月１５日讯记者王比学报道：任建新今天在理事会上要求…。",
        "牡丹江计生农户受优惠",  # first of a two-sentence paragraph: not alone
        "本报讯多子未必多福。",
        "［附记：菡子著《重逢日子》即将由中国文联出版公司出版］",  # closed by its bracket
    ]
    facts = [sentence_facts(t, "zh") for t in texts]
    bounds = bounds_of([0, 1, 2, 2, 3])
    assert headings(facts, bounds).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert headings([sentence_facts("State of the Union", "en")], [(0, 1)]).tolist() == [1.0]


def test_the_head_is_looked_for_in_the_answer_and_the_sentence_on_either_side():
    spans = [(0, 10), (11, 20), (21, 30), (31, 40), (41, 50)]
    assert around(spans, 21, 30) == slice(1, 4)  # one sentence, and one on each side
    assert around(spans, 11, 30) == slice(0, 4)  # a run of two
    assert around(spans, 0, 10) == slice(0, 2)  # the first has nothing before it
    assert around(spans, 100, 120) == slice(0, 5)  # not in this chunk: all of it


def test_neighbouring_answers_join_into_one_run():
    # best first: the result, then the rules just before it, an answer elsewhere, and
    # the problem before the rules; a gap of one space joins, a gap of two does not
    spans = [("p", 997, 1198), ("p", 633, 996), ("q", 0, 50), ("p", 400, 632), ("p", 1200, 1300)]
    assert joined(spans, limit=1000) == [[0, 1, 3], [2], [4]]
    # a run stops growing at the limit (the default, JOINED_CHARS, is 600)
    assert joined(spans) == [[0, 1], [2], [3], [4]]
    assert joined([]) == []


def test_a_first_answer_without_the_question_s_words_abstains():
    feats = np.zeros((2, len(FEATURES)), dtype=np.float32)
    why = asked("Why did Wilson oppose women's suffrage in 1915?", "en")
    assert abstains(feats, 0, why, 0.3, 0.2, need_type=True, terms_ok=False) == "no_terms"
    assert abstains(feats, 0, why, 0.3, 0.2, need_type=True, terms_ok=True) is None
    # no evidence at all is said first
    assert abstains(feats, 0, why, 0.1, 0.2, need_type=True, terms_ok=False) == "no_evidence"


def test_an_ordinal_counts_nothing_unless_asked_for():
    """An ordinal ("第二十个年头") counts no people ("调查了多少城镇居民？"); "列世界第１０位" answers "第几位"."""
    from qa.answer.extract import unit_match

    assert not unit_match("在中国改革进入第二十个年头的时候", "zh", "人")
    assert unit_match("共有二十个人参加", "zh", "人")
    assert unit_match("进口额列世界第１０位", "zh", "位", ordinal=True)
    assert not unit_match("进口额列世界第１０位", "zh", "位")
    q = asked("１９９７年我国进口额列世界第几位？", "zh")
    assert type_match(sentence_facts("１９９７年我国进口额列世界第１０位。", "zh"), q) == 1.0
    # "第几号" is a decree's or a resolution's number, not a day of the month ("几号")
    decree = asked("公布价格法的主席令是第几号？", "zh")
    assert decree.qtype == "quantity" and decree.unit == "号"
    assert type_match(sentence_facts("第九十二号", "zh"), decree) == 1.0
    passed = sentence_facts("价格法于１９９７年１２月２９日经第二十九次会议通过。", "zh")
    assert type_match(passed, decree) < TYPE_HELD
    assert asked("会议定于几号召开？", "zh").qtype == "date"


def test_the_source_a_question_names_is_the_articles_title():
    """A question "…, according to Jefferson?" is answered from the article whose title names him
    when a retrieved one does; a name no title holds leaves the articles alone."""
    from qa.answer.extract import source_named, unsourced

    assert source_named("What did the new dock cost, according to Jefferson?") == "Jefferson"
    assert source_named("How many post offices, according to John Quincy Adams in 1825?") == (
        "John Quincy Adams")  # fmt: skip
    assert source_named("How many tons, according to U.S. intelligence?") is None
    assert source_named("What did the report say, according to the Secretary?") is None
    titles = {
        "a": "state of the union, 1807 (thomas jefferson)",
        "b": "state of the union, 1851 (millard fillmore)",
    }
    assert unsourced("Jefferson", titles) == {"b"}
    assert unsourced("Grant", titles) == set()  # no title names him
    assert unsourced(None, titles) == set()
    assert asked("What did the dock cost, according to Jefferson?", "en").source == "Jefferson"


def test_an_ordinal_day_of_a_month_is_a_date():
    """A day as an ordinal ("the fourteenth of that month") answers "On which day of September…?", where the
    month alone, the question's own word, does not; "may" the verb is no month."""
    q = asked("On which day of September did President McKinley die?", "en")
    died = sentence_facts(
        "On the sixth of September, President McKinley was shot, and died in that city on "
        "the fourteenth of that month.",
        "en",
    )
    assert died.dates == {"sixth of September", "fourteenth of that month"}
    assert type_match(died, q) == 1.0
    assert type_match(sentence_facts("In September the President was shot.", "en"), q) == 0.0
    assert sentence_facts("On the 30th day of June we may act.", "en").dates == {
        "30th day of June"}  # fmt: skip


def test_a_person_asked_for_by_role_needs_a_name():
    """Questions like "Which European dictator…?" and "Which two scientists…?" ask for people by name: a
    sentence that only restates the role ("two of our eminent scientists") holds none. A
    king is named by his realm, so "With which king…?" asks for no name."""
    from qa.answer.extract import needs_type

    for q in (
        "Which European dictator did Roosevelt name?",
        "Which two scientists did Arthur send?",
        "Which British Prime Minister visited Washington, according to Roosevelt in 1942?",
    ):
        a = asked(q, "en")
        assert a.qtype == "person" and needs_type(a)
    restates = sentence_facts("I also designated two of our eminent scientists to attend.", "en")
    assert type_match(restates, asked("Which two scientists did Arthur send?", "en")) == 0.0
    visit = asked("Which British Prime Minister visited Washington in 1942?", "en")
    the_visit = sentence_facts(
        "That is the spirit of the visit of the British Prime Minister.", "en"
    )
    assert type_match(the_visit, visit) == 0.0
    named = sentence_facts("Mr. Churchill and I understand each other.", "en")
    assert type_match(named, visit) == 1.0
    assert not needs_type(asked("With which king did the United States conclude a treaty?", "en"))


def test_a_one_character_chinese_term_is_said_inside_a_longer_token():
    """jieba keeps "结了婚" whole though it cuts the question's "结的婚" into 结 / 婚."""
    from qa.answer.extract import says_terms

    assert says_terms(frozenset({"结", "婚"}), frozenset({"1956", "两人", "结了婚"}))
    assert not says_terms(frozenset({"结", "婚"}), frozenset({"1956", "两人", "工作"}))
    # two-character terms still need the token itself
    assert not says_terms(frozenset({"投资", "宾馆"}), frozenset({"投资额", "酒店"}))
    assert not says_terms(frozenset({"job", "now"}), frozenset({"jobs", "nowhere"}))


def test_a_run_that_takes_in_a_first_answer_lacking_the_head_replaces_it():
    """The first answer restates the question; the run with the next sentence says the head
    noun ("他的目标是…"): the run is quoted, however much lower it scores, since it loses
    nothing of the first. A row from elsewhere, or one that does not fit, changes nothing."""
    from qa.answer.extract import covering_first

    spans = [("p", 0, 30), ("p", 0, 60), ("p", 30, 60), ("q", 0, 60)]
    score = np.array([15.9, 14.1, 11.6, 15.0])
    fits = np.array([False, True, True, True])
    assert covering_first([0, 3, 1, 2], spans, fits, score) == [1, 0, 3, 2]
    assert covering_first([0, 3], spans, np.array([False, False, True, True]), score) == [0, 3]
    assert covering_first([3, 0], spans, fits, score) == [3, 0]  # the first fits


def test_the_sentence_beside_a_first_answer_that_does_not_fit_replaces_it():
    """The first answer restates the session ("…选举张德江为…主任…；"), the sentence right after
    it names the governor ("选举王云坤为省长，…"): the neighbour answers, however much lower it
    scores. Not a sentence further on in the paragraph, nor one of another paragraph;
    nothing changes when the first fits or no neighbour does."""
    from qa.answer.extract import neighbour_first

    # 0: the first; 1: right after it (a space between); 2: further on; 3: another paragraph;
    # 4: right before it
    spans = [("p", 40, 90), ("p", 91, 130), ("p", 140, 170), ("q", 0, 50), ("p", 0, 40)]
    score = np.array([20.2, 16.1, 17.0, 19.0, 12.0])
    after = np.array([False, True, True, True, False])
    before = np.array([False, False, True, True, True])
    neither = np.array([False, False, True, True, False])
    assert neighbour_first([0, 3, 1], spans, after, score) == [1, 0, 3]
    assert neighbour_first([0, 3], spans, before, score) == [4, 0, 3]
    assert neighbour_first([0, 3], spans, neither, score) == [0, 3]
    assert neighbour_first([3, 0], spans, after, score) == [3, 0]  # the first fits


def test_what_a_question_singles_out():
    from qa.answer.extract import singled_out

    q = "What did Nixon call the most important of the unfinished business of the 91st Congress?"
    assert singled_out(q, "en") == "most important"
    assert singled_out("Which state had the largest population?", "en") == "largest"
    assert singled_out("What was the prime interest rate?", "en") is None  # not "-est"
    assert singled_out("新进党解体后哪个党成为日本国会第二大党？", "zh") == "第二大"
    assert singled_out("在“四有”中，什么最重要？", "zh") == "最重"
    assert singled_out("哪个党成为第二大党？", "en") is None  # read in the question's language


def test_the_sentence_of_the_paragraph_that_says_the_superlative_answers_first():
    """The answer "The most important is welfare reform." scores far below the sentence
    that restates the question; in the first answer's paragraph it answers instead. Not
    from another paragraph, and nothing changes when the first answer says it already."""
    from qa.answer.extract import saying_first

    spans = [("p", 0, 30), ("p", 31, 60), ("q", 0, 40), ("p", 61, 90)]
    score = np.array([14.0, 8.6, 12.0, 8.0])
    says = np.array([False, True, True, True])
    assert saying_first([0, 2], spans, says, score) == [1, 0, 2]
    assert saying_first([2, 0], spans, says, score) == [2, 0]  # the first says it
    far = np.array([False, False, True, False])  # only another paragraph's row says it
    assert saying_first([0, 2], spans, far, score) == [0, 2]
    # given each row's article, another paragraph of the first answer's article counts
    articles = ["a", "b", "a", "a"]
    assert saying_first([0, 2], spans, far, score, articles) == [2, 0]
    assert saying_first([0, 1], spans, np.array([False, True, False, False]), score,
                        articles) == [0, 1]  # fmt: skip  # another article's row does not


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("中国核工业总公司１９９８年度工作会议将于哪天结束？", {"结束"}),
        ("“菜篮子工程”是哪一年开始实施的？", {"开始", "实施"}),
        ("中国和奥地利是哪一年建交的？", {"建交"}),
        ("长野冬奥会在哪一天开幕？", {"开幕"}),
        ("哪一年？", set()),  # no event after the asking words
        ("北京地坛庙会哪天拉开帷幕，在哪里？", set()),  # the question goes on
        ("代表团是哪天抵达加德满都的？", {"抵达"}),  # a verb and its object: the verb
        ("会议是哪天的重要活动安排？", set()),  # no verb after the asking words
    ],
)
def test_the_event_a_date_question_asks_the_date_of(question, want):
    from qa.answer.extract import event_asked

    assert event_asked(question) == want


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("番禺的个体客商把准备打通“关节”的３０００元捐给了哪里？", "捐给"),
        ("玛丽娜１９８９年创办了什么？", "创办"),
        ("中国队在决赛中击败了谁？", "击败"),
        ("代表们在会上讨论了什么？", "讨论"),
        ("中国水球队主教练是谁？", None),  # 是 asks for a name, not an object
        ("这种现象叫什么？", None),
        ("机长叫什么名字？", None),  # the asking word does not end it
        ("什么？", None),
    ],
)
def test_the_verb_a_question_asks_the_object_of(question, want):
    from qa.answer.extract import act_asked

    assert act_asked(question) == want


def test_a_sentence_says_the_asked_verb_with_its_object():
    from qa.answer.extract import act_said

    assert act_said("捐给", "３０００元就算我的一点心意捐给顺德教育基金会，为顺德做点事")
    assert act_said("创办", "１９８９年她又创办了“东方之家”")
    assert not act_said("创办", "玛丽娜生于１９６４年，父亲是位有声望的兽医。")
    assert not act_said("防止", "这是要防止的。")  # the verb ends its clause: no object


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("《论“从当地实际出发”》的作者是谁？", "论“从当地实际出发”"),
        ("《端阳时节》是谁写的？", "端阳时节"),
        ("《冷战———实力与谋略的较量》一书是谁撰写的？", "冷战———实力与谋略的较量"),
        ("诗歌《大雪》的作者是谁？", "大雪"),
        ("《走向世界的桥梁》的作者李东生担任什么职务？", None),  # his post, not who wrote it
        ("《五岁读医书》作者的祖父是做什么的？", None),
        ("《大雪》是哪一年发表的？", None),
    ],
)
def test_the_work_whose_author_is_asked(question, want):
    from qa.answer.extract import work_asked

    assert work_asked(question) == want


def test_a_byline_is_the_short_line_under_the_work_s_title_line():
    from qa.answer.extract import byline

    article = ["粮食连年丰收。", "从短缺走向平衡——菜篮子工程建设十年述评（上）（附图片１张）",
               "本报记者彭俊", "压题照片为种畜场一角。"]  # fmt: skip
    assert byline(article, "从短缺走向平衡——菜篮子工程建设十年述评") == 2
    assert byline(article, "从短缺走向平衡———菜篮子工程建设十年述评") == 2  # dashes differ
    assert byline(["论“从当地实际出发”", "本报评论员", "做任何工作。"], "论“从当地实际出发”") == 1
    # the line under the title is a sentence, not a byline
    assert byline(["大雪", "大雪下了三天，村里很安静。"], "大雪") is None
    # a poem's line that begins with the title's words is no title line
    assert byline(["大雪纷飞的夜里", "而远处炫目的春联是红的"], "大雪") is None
    # a headline quoting the title in 《》 is a review's: the line under it is the reviewer
    assert (
        byline(["《人品质量学》", "宁生录", "最近，高成著的《人品质量学》出版。"], "人品质量学")
        is None
    )
    assert byline(["本报评论员"], "论“从当地实际出发”") is None


def test_the_byline_goes_first_whatever_its_score():
    from qa.answer.extract import byline_first

    score = np.array([3.0, 2.0, -2.0, 1.0])
    assert byline_first([0, 1, 3], np.array([False, False, True, False]), score) == [2, 0, 1, 3]
    assert byline_first([0, 1], np.zeros(4, dtype=bool), score) == [0, 1]


def test_a_figure_asked_in_a_measure_is_given_in_it():
    from qa.answer.extract import measure_asked, measure_said

    assert measure_asked("该村去年人均收入是多少？", "zh") == "average"
    assert asked("What was the average wage in 1946?", "en").measure == "average"
    assert asked("What was the highest wage in 1946?", "en").measure is None
    # the highest figure is no average
    assert not measure_said("average", "每天最高访问人次达１０万。", "zh")
    assert measure_said("average", "平均年龄２３岁。", "zh")
    assert measure_said("average", "Wages averaged $40 a week.", "en")
    assert not measure_said("average", "Wages rose to $40 a week.", "en")
    # a part of a year is no whole year's figure; a figure that names no part may be one
    assert measure_asked("该厂去年全年的产值是多少？", "zh") == "whole year"
    assert not measure_said("whole year", "仅上半年的产值就达到４亿元。", "zh")
    assert measure_said("whole year", "全年产值８亿元，上半年４亿元。", "zh")
    assert measure_said("whole year", "去年产值达到８亿元。", "zh")
