"""Short boilerplate lines recognised by their wording, in several languages.

Templates put labels like "Share this", "Read also: …", "Source link" or "Leave a Reply"
inside the article's own container, where the container heuristics can't tell them from
text. Only short blocks are checked, and only their start (or whole text).
"""

from __future__ import annotations

import re
from functools import lru_cache

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract.thresholds import CACHED_PHRASE, MAX_CTA_BLOCK, MAX_PHRASE_BLOCK, MAX_TEASER_BLOCK
from farmwatch.analysis.lazy_pattern import LazyPattern

_I = re.IGNORECASE

# (kind, pattern, longest block it applies to). Read through _ANY_PHRASE below; each is compiled on its own
# (case-insensitive, at its first use) only for the rare block that alternation cannot answer.
# An optional word or bracket opening an alternative ("(?:many\s+)?+thanks", "\(?+via") is possessive ("?+"), and
# so is the word before a date ("\w{3,10}+"): what follows can't start where they would give back, so the same texts
# match, and re tries these alternatives, which every block enters, without keeping a way back (the date's five
# forms, now behind a look-ahead, were a third of the alternation's time). Likewise in _CALLS.
_PHRASE_SOURCES: list[tuple[BlockKind, str, int]] = [
    (
        BlockKind.SOURCE_CREDIT,
        r"^(?:source\s*link|original\s*(?:source|article|post)|sources?\s*:|quelle\s*:|quellen\s*:|fuente\s*:|fonte\s*:"
        r"|originally\s+(?:published|posted|appeared)|this\s+(?:article|story|post)\s+(?:was\s+)?(?:originally|first)\s+"
        r"(?:published|appeared|posted)|the\s+post\s+.{1,200}\s+appeared\s+first\s+on|read\s+the\s+original"
        r"|republished\s+(?:from|with)|via\s*:|source\s*$|\[\s*source\s*:|(?:story|article|text|content|post)\s+credits?"
        r"\s*[:\-–—]|(?:article|story|content|post)\s+courtesy\s+of\b|(?:h/t|hat\s+tip)\b\s*:?\s*(?![^\n:]{1,64}:\s*\S)"
        r"|(?:many\s+)?+thanks\s+to\s+"
        r".{1,80}\s+for\s+(?:the|this)\s+(?:story|tip|article|post)\b)",
        MAX_PHRASE_BLOCK,
    ),
    (
        BlockKind.COMMENTS,
        r"^(?:leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|add\s+(?:a\s+)?comment|write\s+a\s+comment|join\s+the\s+"
        r"(?:discussion|conversation)|\d+\s+(?:comments?|responses?|replies|kommentare?|comentarios?|commentaires?)\b"
        r"|comments?\s*(?:\(\d+\))?\s*$|kommentare?\s*(?:\(\d+\))?\s*$|comentarios?\s*$|commentaires?\s*$"
        r"|kommentieren|your\s+email\s+address\s+will\s+not\s+be\s+published|this\s+site\s+uses\s+akismet"
        r"|you\s+must\s+be\s+logged\s+in\s+to\s+post|cancel\s+reply|reply\s*$|antworten\s*$|responder\s*$)",
        MAX_PHRASE_BLOCK,
    ),
    (
        BlockKind.SHARE,
        r"^(?:share(?:\s+(?:this|on|via|article|story|post))?\b|sharing\s+is|teilen\b|artikel\s+teilen|diesen\s+artikel"
        r"\s+teilen|compart(?:ir|e)\b|partag(?:er|ez)\b|condividi\b|deel\s|dela\s|udostępnij|поделиться|follow\s+us"
        r"|folg(?:en\s+sie|t)\s+uns|síguenos|suivez[-\s]nous|seguici|like\s+us\s+on|tweet\s*$|pin\s+it|e-?mail\s*$"
        r"|print\s*$|drucken\s*$|imprimir\s*$|url\s+(?:zum\s+)?kopieren|copy\s+link|link\s+kopieren"
        # an icon bar whose glyphs fall back to letters ("Share f t in")
        r"|(?:share|teilen|compartir|partager|condividi)(?:\s*(?:f|fb|t|tw|x|in|li|p|pin|wa|g\+|mail|e-?mail))+\s*$"
        r"|(?:e-?mail|print|send|forward)\s+(?:this|the)\s+(?:story|article|page|post)\b|(?:artikel|beitrag)\s+"
        r"(?:drucken|versenden|per\s+e-?mail)|(?:imprimir|enviar)\s+(?:este\s+)?(?:artículo|noticia|nota)"
        r"|(?:imprimer|envoyer)\s+(?:cet\s+)?article)",
        120,
    ),
    (
        BlockKind.RELATED,
        r"^(?:(?:read|lea|lee|leer|lire|leggi|lees|lesen\s+sie|czytaj|читайте)\s*(?:also|more|too|también|tambien|más|mas|"
        r"aussi|anche|ook|auch|mehr|także|też|также)?\s*[:\-–|»]|read\s+(?:also|more)\b|also\s+read|see\s+also|related\b"
        r"|recommended|more\s+(?:from|on|about|stories|news|articles)\b|you\s+(?:may|might)\s+(?:also\s+)?like"
        r"|lesen\s+sie\s+(?:auch|mehr)|auch\s+interessant|mehr\s+zum\s+thema|mehr\s+dazu|weitere\s+(?:artikel|beiträge|news)"
        r"|das\s+könnte\s+sie\s+auch|ver\s+también|te\s+puede\s+interesar|noticias\s+relacionadas|(?:à\s+)?+lire\s+aussi"
        r"|voir\s+aussi|vedi\s+anche|zie\s+ook|lees\s+ook|tags?\s*:|schlagw(?:orte|örter)\s*:|etiquetas\s*:|mots[-\s]clés"
        r"|posted\s+in\b|filed\s+under|categor(?:y|ies)\s*:|kategorien?\s*:|themen\s*:|topics\s*:"
        r"|(?:das|dieses)\s+thema\s+könnte|könnte\s+(?:dich|sie|euch)\s+auch\s+interessieren|mehr\s+themen|ähnliche\s+"
        r"(?:themen|artikel|beiträge|news)|zum\s+weiterlesen|weiterlesen\s*:|neueste\s+(?:artikel|beiträge)|aktuelle\s+"
        r"(?:artikel|beiträge)|(?:veja|leia)\s+também|vous\s+aimerez\s+aussi|explore\s+further|(?:top|more|related|latest"
        r"|popular|recent)\s+(?:stories|articles|posts|news)\b|most\s+(?:read|popular|viewed)|also\s+on\b|also\s+in\b"
        r"|similar\s+(?:topics|threads|posts|articles|stories|questions|discussions)\b|(?:sujets|articles|messages)\s+"
        r"similaires|(?:temas|artículos|publicaciones|hilos)\s+similares|(?:argomenti|articoli|discussioni)\s+simili"
        r"|(?:tópicos|artigos|temas)\s+(?:semelhantes|similares)|vergelijkbare\s+(?:onderwerpen|artikelen|berichten)"
        r"|podobne\s+(?:tematy|artykuły|wątki)"
        r"|(?:también\s+)?+te\s+puede\s+interesar|más\s+noticias|notas\s+relacionadas|zobacz\s+(?:także|też|również)"
        r"|potrebbe\s+interessarti|articoli\s+correlati|gerelateerd|meer\s+nieuws|auch\s+auf\s+\S+\.\w+"
        r"|keep\s+reading\s*$|more\s+(?:\S+\s+){1,3}(?:stories|articles|posts|news|reads)\s*$"
        r"|(?:#[^\W\d_][\w-]*\s*){2,}$)",  # a line of hashtags is the post's tags
        MAX_PHRASE_BLOCK,
    ),
    (
        BlockKind.NEWSLETTER,
        r"^(?:subscribe|sign\s+up|newsletter|abonnieren|jetzt\s+abonnieren|suscr[ií]bete|inscrivez[-\s]vous|iscriviti"
        r"|get\s+our\s+newsletter|join\s+our\s+(?:newsletter|mailing)|sign\s+me\s+up|count\s+me\s+in"
        r"|(?:join|über|más\s+de|rejoignez|unisciti\s+a)\s+(?:over\s+|more\s+than\s+|the\s+|a\s+|les\s+)?[\d.,\s]+"
        r"(?:k|m|million|mil|tausend)?\+?\s*(?:other\s+|weitere\s+|otros\s+|autres\s+|altri\s+)?(?:readers|subscribers"
        r"|members|people|leser(?:innen)?|abonnenten|lectores|suscriptores|lecteurs|abonnés|lettori|iscritti)\b)",
        160,
    ),
    (
        BlockKind.NEWSLETTER,
        r"^(?:never\s+miss|don['’]t\s+miss|stay\s+(?:up[-\s]to[-\s]date|informed|in\s+touch)|we\s+rely\s+on|support\s+"
        r"(?:us|our|independent)|become\s+a\s+(?:member|subscriber|patron)|donate\b|unterstütze|jetzt\s+spenden|jede\s+"
        r"(?:kleine\s+)?spende|gefällt\s+(?:dir|ihnen)\s+unser|hazte\s+miembro|hazte\s+socio|únete|join\s+us|"
        r"download\s+(?:the|our)\s+app|descarga\s+(?:la|nuestra)\s+app|lade\s+dir|holen\s+sie\s+sich|"
        r"(?:follow|síguenos|siguenos|folgen\s+sie)\b.{0,80}\b(?:twitter|facebook|instagram|telegram|youtube|whatsapp"
        r"|linkedin|tiktok))",
        MAX_PHRASE_BLOCK,
    ),
    (
        BlockKind.CAPTION,
        r"^(?:crédits?\s+photos?|titelbild|beitragsbild|bildquelle|fotos?|photos?|imagen|bild)\s*:",
        120,
    ),
    # A line that is only a "via" ("Via HearYa", "(via The Atlantic)"): a credit, not a sentence.
    (BlockKind.SOURCE_CREDIT, r"^\(?+via\s+(?:[^.!?]{1,50}|[\w-]+(?:\.[\w-]+)+)\)?\.?$", 60),
    # A gallery's counter ("1 / 3", "2 of 12") under its photos.
    (BlockKind.CAPTION, r"^\d{1,3}\s*(?:/|of|von|de|sur|di|z)\s*\d{1,3}$", 12),
    (
        BlockKind.BYLINE,
        # Every form starts with a digit, or a word and a digit: the look-ahead turns prose away once.
        r"^[\s(]*(?=\d|\w{3,10}+\.?\s+\d)"
        r"(?:\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{2,4}|\d{1,2}\.?\s+\w{3,10}\.?\s+\d{4}|\w{3,10}\.?\s+\d{1,2},?\s+\d{4}"
        r"|\w{3,10}\s+\d{4}|\w{3,10}\.?\s+\d{1,2})(?:[,\s|·-]+\d{1,2}[:.h]\d{2}(?:\s*(?:am|pm|uhr|h))?"
        r"(?:\s*(?:gmt|utc|[ecmp][sd]t|bst|cest|cet|mesz|mez)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)?)?[\s)]*$"
        r"|^\(?+(?:noch\s+)?+keine\s+bewertungen|^sorted\s+by|^\d+\s+(?:views|aufrufe|visitas|vues)\b",
        40,
    ),
    (
        BlockKind.AUTHOR_BIO,
        r"^(?:about|meet)\s+the\s+(?:authors?|writers?|reporters?|contributors?)\s*:?\s*$|^(?:über\s+(?:den|die)|zu[mr])"
        r"\s+autor(?:in|en)?\s*:?\s*$|^sobre\s+(?:el|la|o|a)\s+autor(?:a)?\s*:?\s*$|^(?:à|a)\s+propos\s+de\s+"
        r"l['’]auteur(?:e|ice)?\s*:?\s*$|^(?:sull['’]autore|l['’]autore)\s*:?\s*$|^o\s+autorze\s*:?\s*$"
        r"|^over\s+de\s+(?:auteur|schrijver)\s*:?\s*$",
        60,
    ),
    (
        BlockKind.ADS,
        r"^(?:advertisement|advertising|anzeige|werbung|publicidad|publicité|pubblicità|sponsored|advertentie|reklama"
        r"|ad\b|ads\b)\s*[:\-]?\s*$|(?:advertise|place\s+(?:an|your)\s+ad)\s+(?:here|with\s+us)\b|werben\s+sie\s+"
        r"(?:hier|bei\s+uns)|an[uú]nciese\s+(?:aquí|con\s+nosotros)|annoncez\s+ici|pubblicizza(?:ti)?\s+qui",
        40,
    ),
    (
        BlockKind.LEGAL,
        r"^(?:©|\(c\)|copyright\b|all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|todos\s+los\s+derechos"
        r"|tous\s+droits\s+réservés|we\s+use\s+cookies|this\s+(?:web)?site\s+uses\s+cookies|diese\s+website\s+verwendet"
        r"\s+cookies|wir\s+verwenden\s+cookies)",
        MAX_PHRASE_BLOCK,
    ),
    (
        BlockKind.BYLINE,
        r"^(?:(?:posted|written|published|updated|veröffentlicht|aktualisiert|publiziert|verfasst|erstellt|publicado|actualizado"
        r"|publié|pubblicato|opublikowano|gepubliceerd)"
        r"(?:\s+(?:by|on|am|von|el|le|il))?\b|(?:by|von|por|par|door|av|przez)\s+\S.{0,60}$|\d+\s*(?:min(?:ute)?s?|minuten)"
        r"\s+(?:read|lesezeit|de\s+lectura)|lesezeit|reading\s+time|(?:news\s+|last\s+)?+(?:date|modified)\s*:|datum\s*:"
        r"|\d{1,4}[./-]\d{1,2}[./-]\d{2,4},?(?:\s+\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|uhr|h))?)?\s*(?:[|·•]|[-–]\s|kategorie|category))",
        100,
    ),
    (
        BlockKind.CAPTION,
        r"^(?:(?:photo|foto|image|bild|picture|credit|photograph|imagen|immagine|grafik)s?\s*(?::|©|by\b|credit)|©\s*\w"
        r"|\(?+(?:photo|foto)\s*:)",
        160,
    ),
    (
        BlockKind.NAVIGATION,
        r"^(?:previous|next|prev|older\s+posts?|newer\s+posts?|back\s+to\s+top|zurück|weiter|anterior|siguiente"
        r"|précédent|suivant|skip\s+to|zum\s+inhalt|home\s*[>»/›]|startseite\s*[>»/›]|inicio\s*[>»/›])",
        80,
    ),
]


# Calls to action, disclosures and notices a site drops into its articles: recognised by
# how they start, in blocks up to MAX_CTA_BLOCK long (a donation ask runs to a paragraph).
# Each pattern below carries the longest block it applies to; the shared limits are in
# thresholds.py.
_CALLS: list[tuple[BlockKind, str]] = [
    (
        BlockKind.NEWSLETTER,
        r"if\s+you\s+(?:enjoyed|liked|like|love|loved|appreciate|value|found\s+this)\b|(?:would|will|could)\s+you\s+"
        r"(?:please\s+)?(?:consider\s+)?(?:support|donat|subscrib|chip\s+in)|we\s+need\s+your\s+(?:help|support)"
        r"|help\s+us\s+(?:continue|keep|to\s+keep|to\s+continue)|(?:to|please)\s+(?:view|read|see|continue\s+reading)"
        r"\s+(?:the\s+)?(?:full|whole|rest|entire)|(?:for|get)\s+the\s+latest\b.{0,80}\b(?:download|apps?\b|newsletter"
        r"|subscribe|sign\s+up|straight\s+to)|(?:download|get|install)\s+(?:the|our)\b.{0,40}\bapps?\b"
        r"|(?:submit|send|write)\s+(?:a|your)\s+letter\s+to\s+the\s+editor|we\s+want\s+to\s+hear\s+(?:what|from)"
        r"|(?:please\s+)?+(?:consider\s+)?+(?:supporting|donating\s+to)\s+(?:us|our)"
        r"|werden\s+sie\s+(?:jetzt\s+)?(?:mitglied|abonnent|unterstützer)|(?:jetzt\s+)?+mitglied\s+werden"
        r"|unterstützen\s+sie\s+(?:uns|unsere|unseren|diese|den|die|das)\b|unterstütze\s+(?:uns|unsere|unseren)\b"
        r"|wenn\s+(?:ihnen|dir|euch)\s+(?:unser|dieser|der|das|die)\s+(?:\w+\s+)?(?:artikel|beitrag|text|inhalt|arbeit"
        r"|journalismus)\w*\s+gef(?:ällt|allen)|gefällt\s+(?:dir|ihnen|euch)\s+(?:unser|dieser|der|das)\b|lust\s+auf\s+mehr\b"
        r"|bitte\s+registrieren\s+sie\s+sich|du\s+musst\s+(?:eingeloggt|angemeldet)|sie\s+müssen\s+(?:eingeloggt|angemeldet)"
        r"|diskutieren\s+sie\s+mit\b|apoya\s+(?:nuestro|el|al)\s+periodismo|suscríbete|pour\s+lire\s+la\s+suite"
        r"|abonnez[-\s]vous|soutenez[-\s]nous|si\s+vous\s+(?:aimez|avez\s+aimé|appréciez)\s+(?:notre|nos|cet|ce)\b"
        r"|zapraszamy\s+(?:też\s+|także\s+)?do\s+(?:subskrypcji|prenumeraty)|wesprzyj\s+(?:nas|nasz)"
        r"|sostienici|sostieni\s+(?:il|la|il\s+nostro)|abbonati\s+(?:a|per|ora)|steun\s+(?:ons|onze)|word\s+(?:nu\s+)?lid\b"
        r"|assine\s+(?:o|a|já|agora)|apoie\s+(?:o|a|nosso|nossa)",
    ),
    (
        BlockKind.ADS,
        r"(?:werbung|anzeige|advertorial|sponsored(?:\s+content)?|publicidad|reklama|publicité)\s*[.,:|/–-]\s*\S"
        r"|(?:this|the)\s+(?:post|article|page|content|review)\s+(?:may\s+)?(?:contains?|includes?)\s+(?:affiliate"
        r"|references\s+to\s+products|sponsored|advertising|paid)|(?:dieser|der)\s+(?:beitrag|artikel|text)\s+enthält"
        r"\s+(?:werbung|affiliate|anzeigen)|(?:enthält|mit)\s+affiliate[-\s]links|affiliate[-\s]links?\s*[:.(]"
        r"|(?:für|for)\s+links\s+(?:auf|on)\s+(?:dieser|this)\s+(?:seite|page)|we\s+(?:may\s+)?(?:earn|receive|get)\s+"
        r"(?:a\s+)?(?:small\s+)?(?:commission|compensation)|we\s+recommend\s+the\s+best\s+products",
    ),
    (
        BlockKind.LEGAL,
        r"(?:this|the)\s+(?:article|content|material|story)\s+is\s+(?:the\s+)?(?:copyrighted|copyright|property)"
        r"|materiał\s+chroniony\s+prawem|written\s+permission|(?:the\s+)?+(?:views|opinions?)\s+expressed\s+(?:in|here|by)"
        r"|les\s+opinions\s+exprimées"
        r"|durch\s+die\s+(?:weitere\s+)?nutzung\s+(?:der|dieser|unserer)\s+(?:seite|website|webseite)"
        r"|wir\s+respektieren\s+(?:deine|ihre)\s+privatsphäre|sofern\s+nicht\s+anders\s+(?:angegeben|ausgewiesen|vermerkt)"
        r"|unless\s+otherwise\s+(?:noted|stated|indicated)|by\s+(?:continuing|using)\s+(?:to\s+use\s+)?(?:this|our)\s+"
        r"(?:site|website)",
    ),
    (
        BlockKind.RELATED,
        r"this\s+(?:entry|post)\s+was\s+posted\s+in|bookmark\s+the\s+permalink|schon\s+gelesen\s*\?|tagged\s*:",
    ),
    (
        BlockKind.SHARE,
        r"(?:möchten\s+sie\s+)?+(?:den|diesen)\s+(?:artikel|beitrag)\s+(?:\w+\s+){0,3}teilen|empfiehl\s+(?:dies|diesen|uns)",
    ),
    (
        BlockKind.OTHER,
        r"(?:war|ist)\s+(?:der|dieser)\s+(?:artikel|beitrag)\s+(?:\w+\s+)?(?:nützlich|hilfreich)|(?:was|is)\s+this\s+"
        r"(?:article|page|post|answer)\s+(?:helpful|useful)|(?:php\s+)?+(?:warning|notice|deprecated|fatal\s+error)\s*:"
        r".{0,300}\son\s+line\s+\d|(?:kontakt|contact|telefon|phone|ansprechpartner(?:in)?)\s*:?\s*$",
    ),
    (BlockKind.SOURCE_CREDIT, r"(?:quellenangaben|originalartikel|originalpublikation)\s*:?\s*$"),
    # A board's quote box label, and a signature under the rule a board draws in text ("_________________").
    (BlockKind.OTHER, r"(?:quote|zitat|citation|cita)\s*:\s*$"),
    (BlockKind.AUTHOR_BIO, r"_{5,}"),
    (BlockKind.BYLINE, r"(?:aufrufe|views|hits|zugriffe)\s*:\s*\d"),
    (BlockKind.CAPTION, r"(?:abbildung|abb\.|figure|fig\.|grafik|bild)\s*\d+\s*[:.]\s|credits?\s*:"),
]
_CALL = re.compile(
    r"[\s*„“\"(«»]*(?:" + "|".join(f"(?P<c{i}>{pattern})" for i, (_k, pattern) in enumerate(_CALLS)) + ")"
)


# All patterns in one alternation: re tries them in list order at the start of the text, so
# the first group that matches is what the loop below would find, in one call.
# Matched against the lower-cased text without IGNORECASE, which re handles far slower
# (the patterns are written in lower case).
_ANY_PHRASE = re.compile("|".join(f"(?P<g{i}>{pattern})" for i, (_k, pattern, _n) in enumerate(_PHRASE_SOURCES)))
_PHRASES = [(kind, LazyPattern(pattern, _I), longest) for kind, pattern, longest in _PHRASE_SOURCES]


# Wording found near the start rather than at it; searched separately, since a leading
# ".{0,80}" in the alternation above would be tried at every block.
_NEAR_START: list[tuple[BlockKind, tuple[str, ...], re.Pattern[str], int, int]] = [
    (
        BlockKind.CAPTION,
        ("getty", "istock", "shutterstock", "imago", "alliance", "adobe", "unsplash", "pixabay"),
        re.compile(
            r"getty\s*images|istock(?:photo)?|shutterstock|imago\s*images|picture[-\s]alliance|adobe\s*stock|unsplash"
            r"|pixabay",
            _I,
        ),
        80,
        120,
    ),
    (
        BlockKind.LEGAL,
        ("responsible", "advice"),
        re.compile(
            r"\b(?:is|are)\s+not\s+responsible\s+for\s+(?:the\s+)?(?:opinions|views|content)|\bdoes\s+not\s+(?:offer"
            r"|provide|give)\s+(?:medical|legal|financial|investment)\s+advice",
            _I,
        ),
        60,
        MAX_PHRASE_BLOCK,
    ),
    (BlockKind.CAPTION, ("©",), re.compile(r"©\s*\w"), 160, 200),  # a credit after a short caption
    # A newsletter's promise under its sign-up heading ("… every weekday at 6am. Free, and you can unsubscribe
    # any time.").
    (BlockKind.NEWSLETTER, ("unsubscribe",), re.compile(r"\bunsubscribe\s+(?:at\s+)?any\s*time\b", _I), 100, 200),
    (
        BlockKind.NEWSLETTER,
        ("telegram", "youtube", "whatsapp"),
        re.compile(r"\b(?:canal|channel|kanal)\s+(?:de|on|auf)?\s*(?:telegram|youtube|whatsapp)", _I),
        60,
        MAX_PHRASE_BLOCK,
    ),
]
# Every entry's words, tested with `in` on the whole lower-cased block before its first 120 characters are
# read: one alternation's scan costs twice these plain substring searches, and a word in the head is in the block.
_NEAR_START_WORDS = tuple(word for _k, words, _p, _l, _n in _NEAR_START for word in words)
# Words one of which a "read more" ending must hold: plain substring tests are much
# cheaper than the full pattern, which most blocks never need.
_READ_MORE_WORDS = (
    "more", "mehr", "weiter", "suite", "leer", "seguir", "leggi", "czytaj",
    "lees", "ler ", "plus", "más", "mais", "reading",
)  # fmt: skip

# A teaser: an excerpt that ends in a "read more" link.
_READ_MORE_END = re.compile(
    r"(?:(?:…|\.\.\.|»|›|>|\[|\()?\s*(?:read\s+more|continue\s+reading|weiterlesen|leer\s+más|seguir\s+leyendo"
    r"|lire\s+la\s+suite|leggi\s+(?:tutto|di\s+più)|czytaj\s+dalej|lees\s+meer|ler\s+mais)\s*(?:»|›|>|→|\]|\)|•+)?"
    r"|(?:…|\.\.\.|»|›|\[|\()\s*(?:more|mehr|plus|más|mais)\s*(?:»|›|>|→|\]|\)|•+)?"
    r"|\b(?:more|mehr)\s*(?:»|›|>|→|\]|\)|•+))\s*$",
    _I,
)


_READ_MORE_ANY = re.compile("|".join(re.escape(word) for word in _READ_MORE_WORDS))  # one scan, not 14 `in` tests


# The last characters a "read more" ending can have (its words' last letters and its arrows, with what
# IGNORECASE matches them to: a test checks this against every character). Most blocks end otherwise.
_READ_MORE_LAST = frozenset(")>EGJNORS]egjnors»Ùùſ•›→")


def _ends_read_more(text: str) -> bool:
    if text.rstrip()[-1:] not in _READ_MORE_LAST:  # rstrip drops what the pattern's final \s* would take
        return False
    start = max(0, len(text) - 40)
    tail = text[start:].lower()
    return _READ_MORE_ANY.search(tail) is not None and _READ_MORE_END.search(text, start) is not None


def _near_start_kind(text: str, lowered: str) -> BlockKind | None:
    """The kind of the first _NEAR_START entry whose wording the block holds near its start, or None."""
    for word in _NEAR_START_WORDS:
        if word in lowered:
            break
    else:
        return None  # no entry's words anywhere in the block
    n, head = len(text), text[:120].lower()
    for kind, words, pattern, latest, longest in _NEAR_START:
        if n <= longest and any(word in head for word in words):
            found = pattern.search(text, 0, latest + 40)
            if found is not None and found.start() <= latest:
                return kind
    return None


def phrase_kind(text: str) -> BlockKind | None:
    """The boilerplate kind a short block's wording gives away, or None."""
    if len(text) <= CACHED_PHRASE:
        return _short_phrase_kind(text)
    return _phrase_kind(text)


def _phrase_kind(text: str) -> BlockKind | None:
    n = len(text)
    lowered = None  # lower-cased once for both alternations
    if n <= MAX_CTA_BLOCK:
        lowered = text.lower()
        call = _CALL.match(lowered)
        if call is not None:
            return _CALLS[int(call.lastgroup[1:])][0]  # type: ignore[index]
    if n > MAX_PHRASE_BLOCK:
        return BlockKind.RELATED if n <= MAX_TEASER_BLOCK and _ends_read_more(text) else None
    if lowered is None:
        lowered = text.lower()
    match = _ANY_PHRASE.match(lowered)
    if match is None:
        return _near_start_kind(text, lowered) or (BlockKind.RELATED if _ends_read_more(text) else None)
    kind, _pattern, longest = _PHRASES[int(match.lastgroup[1:])]  # type: ignore[index]
    if n <= longest:
        return kind
    # The first match is for shorter blocks only: try the others one by one.
    for kind, pattern, longest in _PHRASES:
        if n <= longest and pattern.match(text):
            return kind
    return None


_short_phrase_kind = lru_cache(maxsize=32768)(_phrase_kind)  # "Share", "Leave a Reply", "Menu", "Read more"…
