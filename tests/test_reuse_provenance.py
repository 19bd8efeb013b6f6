"""Provenance on edited text, as an API client sees it: reworded and cut copies are found with spans that
point at the right sentences on both pages; independent reports of one event, and an original that several
pages each took a part of, are never accused."""

from __future__ import annotations

import httpx
import pytest

ORIGINAL = [
    "The city council voted on Tuesday to close the Riverside bridge for eighteen months of repairs, "
    "after engineers found corrosion in three of its steel supports.",
    "Commuters who cross the river each morning will be sent along a detour through the industrial "
    "district, which officials expect to add twenty minutes to a typical journey.",
    "Mayor Helen Ortiz said the decision was painful but unavoidable, and that the council had spent two "
    "years searching for a cheaper way to keep the crossing open.",
    "A temporary ferry service will begin running next month from the old harbour pier, with boats "
    "leaving every fifteen minutes during the morning and evening rush.",
    "Local shop owners near the bridge fear that the closure will drive customers away, and the chamber "
    "of commerce has asked for a fund to support businesses that lose trade.",
    "The repair contract, worth forty million dollars, was awarded to a regional construction firm that "
    "rebuilt the northern rail viaduct last year.",
    "Engineers plan to replace the corroded supports first and then resurface the whole deck, a sequence "
    "they say will allow one lane to reopen before the work is finished.",
    "Residents can comment on the detour plan at a public meeting in the library on the first Monday of next month.",
]

# Each sentence edited as a journalist would: words swapped, clauses moved, some sentences dropped.
REWORDED = [
    "On Tuesday the city council decided to shut the Riverside bridge for eighteen months of repair work, "
    "after engineers discovered corrosion in three of its steel supports.",
    "Mayor Helen Ortiz called the decision painful but unavoidable, saying the council spent two years "
    "looking for a cheaper way to keep the crossing open.",
    "Drivers who cross the river every morning will be sent on a detour through the industrial district, "
    "which officials expect will add about twenty minutes to a normal journey.",
    "A temporary ferry will start running next month from the old harbour pier, with boats departing every "
    "fifteen minutes in the morning and evening rush.",
    "The forty million dollar repair contract went to a regional construction company that rebuilt the "
    "northern rail viaduct last year.",
]

INDEPENDENT = [
    "Traffic on the east side of the city is expected to worsen from next month, when the Riverside "
    "bridge shuts for a long programme of structural work.",
    'At a packed meeting, Mayor Helen Ortiz told residents: "We spent two years searching for a cheaper '
    'way to keep the crossing open."',
    "Several bus routes will change, according to the transport authority, which published new timetables "
    "on its website on Wednesday evening.",
    "Parents at the primary school beside the bridge said they were worried about heavy lorries using the "
    "narrow streets of the old quarter during the closure.",
    "The authority said cyclists and pedestrians would be allowed to use a footpath on the railway bridge "
    "upstream for as long as the works last.",
]


def html(title: str, paragraphs: list[str], published: str, site: str, lang: str = "en") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html lang="{lang}"><head><title>{title} | {site}</title>'
        f'<meta property="article:published_time" content="{published}"></head><body>'
        f'<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        f"<footer>Copyright {site}. All rights reserved. Contact us. Privacy policy.</footer></body></html>"
    )


def submit(api: httpx.Client, url: str, page: str) -> dict:
    response = api.post("/v1/pages", json={"url": url, "html": page})
    assert response.status_code == 200, response.text
    return response.json()


def report(api: httpx.Client, url: str) -> dict:
    response = api.get("/v1/pages", params={"url": url})
    assert response.status_code == 200, response.text
    return response.json()


ORIGINAL_URL = "https://gazette.example.com/2025/bridge-closure"
COPY_URL = "https://daily-digest.example.net/bridge-to-close"


@pytest.mark.parametrize("copy_first", [False, True])
def test_a_reworded_copy_is_found_with_spans_on_both_pages(api: httpx.Client, copy_first: bool) -> None:
    pages = [
        (ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette")),
        (COPY_URL, html("Bridge closure announced", REWORDED, "2025-03-04T15:30:00+00:00", "digest")),
    ]
    for url, page in reversed(pages) if copy_first else pages:
        submit(api, url, page)
    copy, original = report(api, COPY_URL), report(api, ORIGINAL_URL)
    assert original["provenance"]["verdict"] == "original"
    provenance = copy["provenance"]
    assert provenance["verdict"] == "republished"
    source = provenance["sources"][0]
    assert source["url"] == ORIGINAL_URL
    assert source["reuse"] in ("wholly", "partially")
    assert source["coverage"] >= 0.6
    # Every span slices a sentence of the copy and the original sentence it was edited from.
    spans = source["spans"]
    assert len(spans) >= 3
    for span in spans:
        mine = copy["main_text"][span["start"] : span["end"]]
        theirs = original["main_text"][span["source_start"] : span["source_end"]]
        assert mine and theirs
        # The copy's sentence shares most of its longer words with the source passage it is aligned to.
        words = {w for w in mine.lower().split() if len(w) > 5}
        assert len(words & set(theirs.lower().split())) >= len(words) // 3, (mine, theirs)
    mayor = next(s for s in spans if "Ortiz" in copy["main_text"][s["start"] : s["end"]])
    assert "Ortiz" in original["main_text"][mayor["source_start"] : mayor["source_end"]]


def test_the_score_weighs_how_sure_the_text_evidence_is(api: httpx.Client) -> None:
    submit(api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    verbatim_url = "https://mirror.example.net/bridge"
    submit(api, verbatim_url, html("Bridge closure", ORIGINAL, "2025-03-04T15:30:00+00:00", "mirror"))
    # Three of the source's sentences reworded, in a story of the paper's own reporting.
    partial = [INDEPENDENT[0], REWORDED[0], REWORDED[2], INDEPENDENT[3], REWORDED[3], INDEPENDENT[4]]
    submit(api, COPY_URL, html("Bridge closure announced", partial, "2025-03-04T15:30:00+00:00", "digest"))
    verbatim, reworded = report(api, verbatim_url)["provenance"], report(api, COPY_URL)["provenance"]
    for provenance in (verbatim, reworded):
        assert provenance["verdict"] == "republished"
        source = provenance["sources"][0]
        assert 0.0 < source["reuse_probability"] <= 1.0
        # P(republished) = P(it copied the source) x P(what it shares is reuse): never above the first.
        assert provenance["score"] <= source["probability"] + 1e-9
    assert verbatim["sources"][0]["reuse_probability"] > reworded["sources"][0]["reuse_probability"]
    assert verbatim["score"] > reworded["score"]


def test_a_thirty_word_copy_of_two_sentences_is_found(api: httpx.Client) -> None:
    submit(api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    short = [
        "The council voted on Tuesday to close the Riverside bridge for eighteen months of repairs after "
        "engineers found corrosion in three steel supports.",
        "A temporary ferry will begin running next month from the old harbour pier.",
    ]
    copy = submit(api, COPY_URL, html("Bridge shuts", short, "2025-03-05T08:00:00+00:00", "digest"))
    assert copy["provenance"]["verdict"] == "republished"
    assert copy["provenance"]["sources"][0]["url"] == ORIGINAL_URL


def test_a_copy_of_the_sources_sentences_cut_short_is_found_when_it_arrives_first(api: httpx.Client) -> None:
    # Each sentence keeps only its opening, a word in four changed (no five words in a row are the
    # source's): the copy's sentences align with the source's, but the source's long sentences hold too
    # little of theirs in the copy to align back.
    def cut_short(sentence: str) -> str:
        words = sentence.split()[:8]
        return " ".join("really" if i % 4 == 3 else w for i, w in enumerate(words)) + "."

    cut = [cut_short(sentence) for sentence in ORIGINAL]
    submit(api, COPY_URL, html("Bridge shuts", cut, "2025-03-05T08:00:00+00:00", "digest"))
    submit(api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    provenance = report(api, COPY_URL)["provenance"]
    assert provenance["verdict"] == "republished"
    assert provenance["sources"][0]["url"] == ORIGINAL_URL
    assert report(api, ORIGINAL_URL)["provenance"]["verdict"] == "original"


def test_an_independent_report_sharing_a_quotation_accuses_no_one(api: httpx.Client) -> None:
    submit(api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    other_url = "https://eastside-herald.example.org/traffic-warning"
    other = submit(api, other_url, html("Traffic warning", INDEPENDENT, "2025-03-05T10:00:00+00:00", "herald"))
    assert other["provenance"]["verdict"] == "original"
    assert report(api, ORIGINAL_URL)["provenance"]["verdict"] == "original"


def test_an_original_that_several_pages_each_took_a_part_of_stays_original(api: httpx.Client) -> None:
    parts = [ORIGINAL[0:3], ORIGINAL[3:6], ORIGINAL[5:8]]
    # The copies arrive first and carry no dates: the original must not look stitched together from them.
    for n, part in enumerate(parts):
        undated = '<meta property="article:published_time" content="">'
        page = html(f"Part {n}", part, "", f"farm{n}").replace(undated, "")
        submit(api, f"https://farm{n}.example.net/story-{n}", page)
    original = submit(
        api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette")
    )
    assert report(api, ORIGINAL_URL)["provenance"]["verdict"] == "original", original["provenance"]


CHINESE = [
    "北京市政府星期二宣布，将从下个月起关闭河畔大桥进行为期十八个月的维修，原因是工程师在三根钢支柱中发现了严重腐蚀。",
    "每天早上过河的通勤者将被引导绕行工业区，官员预计这将使普通行程增加约二十分钟。",
    "市长表示这个决定令人痛苦但不可避免，市议会花了两年时间寻找更便宜的办法来保持桥梁开放。",
    "下个月起，一项临时渡轮服务将从旧港口码头开始运营，早晚高峰期间每十五分钟一班。",
]


def test_a_chinese_copy_is_found(api: httpx.Client) -> None:
    source_url = "https://zh-news.example.com/a/1"
    submit(api, source_url, html("河畔大桥将关闭", CHINESE, "2025-03-04T09:00:00+00:00", "zh-news", "zh"))
    edited = [CHINESE[0].replace("星期二", "周二"), CHINESE[2], CHINESE[3].replace("开始运营", "投入使用")]
    copy_url = "https://zh-farm.example.net/p/9"
    copy = submit(api, copy_url, html("大桥关闭", edited, "2025-03-05T09:00:00+00:00", "zh-farm", "zh"))
    assert copy["provenance"]["verdict"] == "republished"
    source = copy["provenance"]["sources"][0]
    assert source["url"] == source_url
    for span in source["spans"]:
        assert copy["main_text"][span["start"] : span["end"]].strip()


# Other scripts. Japanese and Thai: no spaces between words (read as character bigrams); Thai has no
# sentence marks either. Hindi: vowel signs inside words (combining marks) and the danda. Arabic: right to left.
OTHER_SCRIPTS = {
    "hi": [
        "नगर परिषद ने मंगलवार को घोषणा की कि नदी के किनारे का पुराना पुल अगले महीने से अठारह महीने के लिए बंद रहेगा।",
        "इंजीनियरों के अनुसार पुल के तीन लोहे के खंभों में गंभीर जंग पाई गई है जिससे आवागमन सुरक्षित नहीं है।",
        "शहर सुबह और शाम की भीड़ कम करने के लिए मुफ्त बस सेवा चलाएगा।",
        "नए पुल का निर्माण अगले साल वसंत में शुरू होगा और इसे तीन साल में पूरा करने का लक्ष्य है।",
    ],
    "ar": [
        "أعلن مجلس المدينة يوم الثلاثاء أن الجسر القديم على ضفة النهر سيغلق لمدة ثمانية عشر شهرا"
        " اعتبارا من الشهر المقبل.",
        "وقال المهندسون إنهم وجدوا تآكلا شديدا في ثلاثة أعمدة حديدية للجسر مما يجعل العبور غير آمن.",
        "وستوفر المدينة حافلات مجانية لتخفيف الازدحام في ساعات الصباح والمساء.",
        "ومن المقرر أن يبدأ بناء الجسر الجديد في الربيع المقبل على أن يكتمل خلال ثلاث سنوات.",
    ],
    "ja": [
        "市議会は火曜日、川沿いの古い橋を来月から十八か月間閉鎖すると発表した。",
        "技術者によると、橋の鉄骨三本に深刻な腐食が見つかり、安全に通行できない状態だという。",
        "市は代わりに無料のシャトルバスを運行し、朝夕の通勤時間帯の混雑を緩和する方針だ。",
        "新しい橋の建設は来年の春に始まり、三年後の完成を目指していると市長は説明した。",
    ],
    "th": [
        "สภาเมืองประกาศเมื่อวันอังคารว่าจะปิดสะพานเก่าริมแม่น้ำเป็นเวลาสิบแปดเดือนตั้งแต่เดือนหน้า",
        "วิศวกรพบการกัดกร่อนอย่างรุนแรงในเสาเหล็กสามต้นของสะพานซึ่งทำให้ไม่ปลอดภัยต่อการสัญจร",
        "เมืองจะจัดรถรับส่งฟรีเพื่อลดความแออัดของผู้เดินทางในช่วงเช้าและช่วงเย็น",
        "การก่อสร้างสะพานใหม่จะเริ่มในฤดูใบไม้ผลิปีหน้าและคาดว่าจะแล้วเสร็จภายในสามปี",
    ],
}
UNRELATED = {
    "hi": [
        "स्टेशन के सामने नया पुस्तकालय शनिवार को खुला और पहले ही दिन दो हज़ार से अधिक लोग वहाँ पहुँचे।",
        "पुस्तकालय में बच्चों के लिए पढ़ने का कमरा और काम करने की जगह है जो रात नौ बजे तक खुली रहती है।",
    ],
    "ar": [
        "افتتحت المكتبة الجديدة أمام محطة القطار يوم السبت وزارها أكثر من ألفي شخص في اليوم الأول.",
        "وتضم المكتبة غرفة قراءة للأطفال ومساحة للعمل تبقى مفتوحة حتى التاسعة مساء.",
    ],
    "ja": [
        "駅前の新しい図書館は土曜日に開館し、初日だけで二千人を超える市民が訪れた。",
        "館内には子ども向けの読書室や自習スペースが設けられ、夜九時まで利用できる。",
    ],
    "th": [
        "ห้องสมุดแห่งใหม่หน้าสถานีรถไฟเปิดให้บริการเมื่อวันเสาร์และมีประชาชนมาใช้บริการกว่าสองพันคน",
        "ภายในมีห้องอ่านหนังสือสำหรับเด็กและพื้นที่สำหรับนั่งทำงานซึ่งเปิดถึงสามทุ่ม",
    ],
}


@pytest.mark.parametrize("lang", sorted(OTHER_SCRIPTS))
def test_a_copy_in_another_script_is_found(api: httpx.Client, lang: str) -> None:
    paragraphs = OTHER_SCRIPTS[lang]
    source_url = f"https://{lang}-news.example.com/a/1"
    submit(api, source_url, html(paragraphs[0][:12], paragraphs, "2025-03-04T09:00:00+00:00", f"{lang}-news", lang))
    # A farm's copy: one paragraph cut, one edited at its end.
    edited = [paragraphs[0], paragraphs[1][:-6], paragraphs[3]]
    copy_url = f"https://{lang}-farm.example.net/p/9"
    copy = submit(api, copy_url, html(paragraphs[0][:8], edited, "2025-03-05T09:00:00+00:00", f"{lang}-farm", lang))
    assert copy["provenance"]["verdict"] == "republished"
    assert copy["provenance"]["sources"][0]["url"] == source_url
    # A page on another story in the same script is no copy of it.
    other = submit(api, f"https://{lang}-city.example.org/x", html("x", UNRELATED[lang], "2025-03-06", "city", lang))
    assert other["provenance"]["verdict"] == "original" and not other["provenance"]["undecided"]


URDU = [
    "وزیراعظم نے منگل کے روز اسلام آباد میں ایک اجلاس کی صدارت کی جس میں ملک کی معاشی صورتحال کا جائزہ لیا گیا۔",
    "اجلاس میں وزیر خزانہ نے بتایا کہ رواں مالی سال کے دوران برآمدات میں پندرہ فیصد اضافہ ہوا ہے۔",
    "وزیراعظم نے ہدایت کی کہ چھوٹے کاروبار کے لئے قرضوں کی فراہمی آسان بنائی جائے اور ٹیکس کا نظام سادہ کیا جائے۔",
    "اجلاس میں توانائی کے شعبے کے مسائل پر بھی تفصیلی غور کیا گیا اور بجلی کی لوڈشیڈنگ"
    " کم کرنے کے اقدامات کی منظوری دی گئی۔",
]


def test_urdu_spans_slice_the_right_to_left_text_exactly(api: httpx.Client) -> None:
    source_url = "https://agency.example.com/urdu/1"
    submit(api, source_url, html("اجلاس", URDU, "2025-03-04T09:00:00+00:00", "agency", "ur"))
    copy_url = "https://paper.example.org/news/2"
    edited = [URDU[0].replace("منگل کے روز", "منگل کو"), URDU[2], URDU[3]]
    copy = submit(api, copy_url, html("معیشت", edited, "2025-03-05T05:00:00+00:00", "paper", "ur"))
    assert copy["provenance"]["verdict"] == "republished"
    source = copy["provenance"]["sources"][0]
    original = report(api, source_url)
    texts = [copy["main_text"][s["start"] : s["end"]] for s in source["spans"]]
    assert any("وزیراعظم" in t for t in texts)
    for span in source["spans"]:
        theirs = original["main_text"][span["source_start"] : span["source_end"]]
        assert theirs and theirs[0] not in " ،۔"  # offsets land on word starts, not mid-word


def test_reindex_gives_a_store_from_an_older_farmwatch_keys_that_survive_editing(redis_client) -> None:
    import pytest as _pytest

    from farmwatch.config import Settings
    from farmwatch.errors import IndexLayoutError
    from farmwatch.ingest import submit_html
    from farmwatch.reindex import reindex
    from farmwatch.services import Services

    services = Services.create(redis_client, Settings())
    submit_html(services, ORIGINAL_URL, html("Riverside bridge", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    # What an older farmwatch left: other sample buckets in the record and the index, an older layout marker.
    page_id = services.pages.page_id(ORIGINAL_URL)
    services.index.remove(page_id, services.pages.buckets(page_id))
    services.pages.replace_sample_buckets({page_id: [(n * 0x9E3779B97F4A7C15) % 2**64 for n in range(1, 60)]})
    services.index.insert(page_id, services.pages.buckets(page_id))
    redis_client.set(services.index.layout_key, "v2 group_bits=14")
    with _pytest.raises(IndexLayoutError):
        Services.create(redis_client, Settings())

    done = reindex(services.index, services.pages)
    assert done["pages_indexed"] == 1
    services = Services.create(redis_client, Settings())
    copy = submit_html(services, COPY_URL, html("Bridge", REWORDED, "2025-03-04T15:30:00+00:00", "digest"))
    assert copy.provenance.verdict == "republished"
    assert copy.provenance.sources[0].url == ORIGINAL_URL


def test_an_edited_copy_of_a_story_very_many_pages_carry_still_names_the_story(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from farmwatch.store import lsh

    # A story carried by more pages than COMMON_KEY_PAGES (a scale knob: 128 by default, 12 here to keep the
    # test short): its reuse keys are common, which alone would leave them out of a look-up's counts.
    monkeypatch.setattr(lsh, "COMMON_KEY_PAGES", 12)
    submit(api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))

    def edited(sentences: list[str], filler: str, every: int) -> list[str]:
        # Function words put in every few words: no five words in a row are the story's (so no band of
        # 5-word shingles is shared), every content word and its neighbours are kept (the reuse keys).
        out = []
        for sentence in sentences:
            words = sentence.split()
            out.append(" ".join(w if i % every else f"{filler} {w}" for i, w in enumerate(words)))
        return out

    fillers = ("the", "also", "then", "so")
    for n in range(lsh.COMMON_KEY_PAGES + 2):
        page = html("Bridge news", edited(ORIGINAL, fillers[n % 4], 3 + n % 2), "2025-03-05T08:00:00+00:00", "x")
        submit(api, f"https://carrier-{n}.example.org/bridge", page)
    probe = html("Bridge closing", edited(ORIGINAL[:6], "indeed", 4), "2025-03-06T08:00:00+00:00", "probe")
    provenance = submit(api, COPY_URL, probe)["provenance"]
    assert provenance["verdict"] == "republished"
    assert ORIGINAL_URL in [source["url"] for source in provenance["sources"]]
    assert report(api, ORIGINAL_URL)["provenance"]["verdict"] == "original"


DISHES = ["lentil soup", "grilled trout", "plum dumplings", "smoked cheese", "apple cake", "roast chestnuts"]
FESTIVAL = [
    f"Stall {n} at the autumn market on Church Square sold {n * 7 + 3} portions of {DISHES[n % 6]} before noon, "
    f"its owner said, and the queue reached the {['fountain', 'bakery', 'town hall', 'post office'][n % 4]} twice."
    for n in range(24)
]


@pytest.mark.parametrize("linked", [True, False])
def test_two_sentences_of_the_page_it_links_as_its_source_make_a_source(api: httpx.Client, linked: bool) -> None:
    # A long page of its own ends with two of the gazette's sentences: too small a share to be reuse by itself,
    # but the page links the gazette's story as its source.
    submit(api, ORIGINAL_URL, html("Riverside bridge to close", ORIGINAL, "2025-03-04T09:00:00+00:00", "gazette"))
    taken = [ORIGINAL[0], ORIGINAL[3]]
    credit = f'<p>Source: <a href="{ORIGINAL_URL}">The Gazette</a></p>' if linked else ""
    page = html("Market day", FESTIVAL + taken, "2025-03-06T10:00:00+00:00", "digest").replace(
        "</article>", credit + "</article>"
    )
    provenance = submit(api, COPY_URL, page)["provenance"]
    if linked:
        assert provenance["verdict"] == "republished" and provenance["attributed"] is True
        source = provenance["sources"][0]
        assert source["url"] == ORIGINAL_URL and source["reuse"] == "partially" and len(source["spans"]) >= 1
    else:
        assert provenance["verdict"] == "original"
