"""Safeguarding signals in a described situation, and the reminder that goes with them.

The check is a table of plain regular expressions, one row per type of abuse or
risk, so anyone can read exactly what raises a flag. It leans towards precision
on ordinary needs (falls, loneliness, a tired carer) and never replaces
professional judgement: a flag means "pause and follow your procedures".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError
from .textutil import sentence_spans
from .types import SETTINGS, Safeguarding

_I = re.IGNORECASE


def _any(words: str) -> str:
    """'hit hits hitting' -> '(?:hit|hits|hitting)'; '_' inside a word stands for a space."""
    return "(?:" + "|".join(w.replace("_", " ") for w in words.split()) + ")"


_OBJ = _any("him her them me us")
_POSS = _any("his her their my")
# "hit her head" or "shakes his hand" is not an assault on someone else.
_NOT_BODY = r"(?! " + _any("head knee hip elbow shin foot feet toe leg arm back hand wrist shoulder chin") + r"s?\b)"
_PARTNER = _any("husband wife partner boyfriend girlfriend ex ex-partner ex-husband ex-wife")
_FAMILY = _any(
    "son daughter grandson granddaughter nephew niece husband wife partner boyfriend girlfriend ex ex-partner "
    "brother sister father mother dad mum stepdad step-dad stepmum step-mum uncle aunt cousin carer lodger "
    "neighbour friend family relative landlord"
)
_HIT = _any(
    "hit hits hitting slap slaps slapped slapping punch punches punched punching kick kicks kicked kicking "
    "beat beats beaten beating smack smacks smacked smacking shove shoves shoved shoving"
)
_TAKE = r"(?:has |have |had |is |are |was |keeps )?" + _any(
    "take takes took taken taking steal steals stole stolen stealing withhold withholds withheld pocket pockets "
    "pocketed spends spent spending cashes cashed cashing keeps kept holds held"
)
# Someone other than the person: "her son takes her pension", not "she takes her pension out".
_OTHER = rf"(?:{_FAMILY}s?|someone|somebody|a man|a woman|people|employers?|boss|gang|agents?|they)['\"]?"
_MONEY = _any("pension benefits? money savings bank_?card cards? cash wages PIP universal_credit attendance_allowance")
_PAPERS = _any("passport papers documents ID identity_documents")
_NOT = _any("not isn't doesn't does_not don't do_not")


@dataclass(frozen=True)
class Cue:
    """One pattern; `unless` (searched in the same sentence) marks an innocent reading."""

    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SignalType:
    """A type of abuse or risk: concrete cues, plus the type's own name (ignored in training text)."""

    name: str
    label: str
    cues: tuple[Cue, ...]
    terms: tuple[Cue, ...] = ()
    needs_child: bool = False


def _cues(*patterns: str, unless: str | None = None) -> tuple[Cue, ...]:
    guard = re.compile(unless, _I) if unless else None
    return tuple(Cue(re.compile(p, _I), guard) for p in patterns)


_ACCIDENT = (r"\b(?:fell|fall|falls|falling|tripped|trip|slipped|slip|bumped|knocked (?:into|against)"
             r"|warfarin|blood thinners?|anticoagulant)\b")
_HYPOTHETICAL = r"\b(?:if|in case|whether|should (?:she|he|they|anyone|someone))\b"

_PHYSICAL = SignalType(
    "physical abuse", "Possible physical abuse",
    _cues(
        rf"\b{_HIT} {_OBJ}\b{_NOT_BODY}(?! at\b| by\b)",
        r"\b" + _any("push pushes pushed pushing grab grabs grabbed grabbing shake shakes shook shaking")
        + rf" {_OBJ}\b{_NOT_BODY}(?! (?:to|into|in (?:his|her|their|the) (?:wheel)?chair|around|along|round|out)\b)",
        rf"\bhandl(?:ed|es|ing) {_OBJ} roughly\b|\brough(?:ly)? handl\w*",
        rf"\b(?:strangl|chok|throttl)(?:e|es|ed|ing) {_OBJ}\b|\bstrangulation\b",
        rf"\b(?:tied|ties|tying|strapped|straps) {_OBJ} (?:to (?:the|a|his|her|their) (?:bed|chair)|up|down)\b",
        rf"\block(?:s|ed|ing)? {_OBJ} (?:in|up)\b",
        rf"\b{_any('burn burns burned burnt scald scalded bite bites bitten')} (?:on|to) {_POSS} \w+",
        r"\bblack eye\b|\bfinger[- ]?(?:tip )?marks\b|\bunexplained (?:bruis\w*|injur\w*|marks|fractures?|burns?)\b",
        r"\bover-?medicat\w*|\bsedat\w* (?:him|her|them) to keep\b|\bmedication to keep (?:him|her|them) quiet\b",
    ) + _cues(
        rf"\bbruis(?:e|es|ed|ing) (?:on|to|around|across) (?:{_POSS}|the) "
        r"(?:upper |lower |inner |left |right |both )?\w+",
        rf"\b(?:marks|grip marks|welts) (?:on|around) {_POSS} (?:wrists?|arms?|neck|face|legs?|back)\b",
        unless=_ACCIDENT,
    ),
    _cues(r"\bphysical(?:ly)? (?:abuse|abused|assault\w*|harm\w*)\b"),
)

_DOMESTIC = SignalType(
    "domestic abuse", "Possible domestic abuse",
    _cues(
        r"\bcoercive(?:ly)? control\w*|\bcontrolling (?:and coercive )?"
        r"(?:behaviou?r|partner|husband|wife|boyfriend|girlfriend|relationship)\b",
        rf"\b{_PARTNER}\b[^.;]{{0,30}}\b{_HIT}\b(?! by\b)",
        rf"\b{_PARTNER}\b[^.;]{{0,30}}\bthreat(?:en|ens|ened|ening|s)?\b",
        r"\babusive (?:partner|husband|wife|boyfriend|girlfriend|relationship|marriage|ex)\b",
        r"\bhonou?r[- ]based (?:abuse|violence)\b|\bso-called honou?r\b|\bforced (?:into )?marriage\b",
        r"\bfemale genital mutilation\b|\bFGM\b",
        r"\b(?:won't|will not|doesn't|does not|never) (?:let|allow) (?:her|him|them|me) (?:to )?"
        r"(?:go out|leave|see|have|speak|talk|work|visit)\b",
        r"\b(?:is|are|am|isn't|aren't|not) (?:allowed|permitted) (?:to )?"
        rf"(?:go out|leave the house|see {_POSS} (?:friends|family)|have (?:any )?money)\b",
        rf"\b(?:checks|monitors|tracks|goes through) {_POSS} (?:phone|messages|emails|location)\b",
        rf"\b(?:afraid|scared|frightened|terrified) of {_POSS} {_PARTNER}\b",
    ),
    _cues(r"\bdomestic (?:abuse|violence)\b"),
)

_SEXUAL = SignalType(
    "sexual abuse", "Possible sexual abuse",
    _cues(
        r"\braped?\b|\braping\b",
        rf"\b(?:touch|touches|touched|touching) {_OBJ}\b[^.;]{{0,25}}"
        r"\b(?:inappropriately|sexually|private|down there|under (?:her|his|my) clothes)",
        r"\binappropriate(?:ly)? touch\w*|\bunwanted (?:sexual|touching|advances)\b",
        r"\bsexually (?:assaulted|abused|exploited)\b|\bindecent(?:ly)? expos\w*|\bexposed himself\b",
        rf"\b(?:forced|made|makes|pressured) {_OBJ} (?:to )?"
        r"(?:have sex|watch porn\w*|do sexual|send (?:nude|naked|explicit))",
        r"\b(?:being|been|was|were) groomed\b|\bonline grooming\b"
        r"|\bgroom(?:s|ed|ing) (?:him|her|them|me|children|a child|young people)\b",
    ),
    _cues(r"\bsexual (?:abuse|assault|exploitation|harassment|violence)\b"),
)

_PSYCHOLOGICAL = SignalType(
    "psychological or emotional abuse", "Possible psychological or emotional abuse",
    _cues(
        rf"\b(?:humiliat|belittl|intimidat|ridicul)(?:e|es|ed|ing) {_OBJ}\b|\bgaslight\w*",
        rf"\b(?:calls|called|calling) {_OBJ} "
        r"(?:names|stupid|useless|worthless|a burden|pathetic|an idiot|fat|ugly)\b",
        rf"\bthreat(?:en|ens|ened|ening) (?:to (?:put|send) {_OBJ} (?:in|into) a (?:care )?home"
        rf"|to leave {_OBJ}|to hurt|{_OBJ}\b)",
        rf"\b(?:constantly|always) (?:shouts|shouting|screams|screaming|swears|swearing) at {_OBJ}\b",
        rf"\b(?:keeps|kept|keeping) {_OBJ} (?:away|isolated) from {_POSS} (?:family|friends)\b",
        r"\b(?:bullied|bullying|bullies|cyber-?bullying)\b",
        r"\bmade to feel (?:worthless|useless|stupid|a burden)\b",
    ),
    _cues(r"\b(?:emotional|psychological)(?:ly)? (?:abuse|abused|harm)\b"),
)

_FINANCIAL = SignalType(
    "financial or material abuse", "Possible financial or material abuse",
    _cues(
        rf"\b{_OTHER} {_TAKE} (?:all )?(?:of )?{_POSS} {_MONEY}\b",
        rf"\b(?:he (?:takes|took|has taken|keeps) her|she (?:takes|took|has taken|keeps) his) {_MONEY}\b",
        rf"\b{_MONEY}\b[^.;]{{0,20}}\b(?:stolen|withheld|going missing|gone missing|(?:is|are|was|were) missing)\b",
        rf"\b(?:pressur\w*|forced|forcing|made|making|bullied|bullying|persuaded|tricked) {_OBJ} (?:in)?to sign\w*",
        r"\b(?:forced|pressured|pressurised) to sign\b",
        r"\b(?:been|was|were|got|being|is|are|get|gets) (?:scammed|defrauded|conned)\b"
        r"|\bvictim of (?:a |an )?(?:\w+ )?(?:scam|fraud)\b",
        r"\b(?:lost|sent|gave|paid|transferred) [^.;]{0,30}\bto (?:a |an )?(?:\w+ )?"
        r"(?:scam|scammers?|fraudsters?|rogue traders?)\b",
        r"\b(?:targeted|approached|visited|called|pressured) by (?:a |an )?"
        r"(?:scammers?|fraudsters?|rogue traders?|doorstep (?:sellers?|traders?))\b",
        r"\b(?:romance|lottery|investment|courier|phone|doorstep|pension) (?:scam|fraud)\b",
        r"\b(?:lasting )?power of attorney\b[^.;]{0,40}\b(?:misus\w*|abus\w*|for (?:himself|herself|themselves))\b",
        r"\bchanged (?:his|her|their) will\b[^.;]{0,40}\b(?:pressure|pressured|favour|without)\b",
    ) + _cues(
        rf"\b(?:using|uses|used|misusing|misuses|misused) {_POSS} (?:bank ?card|card|account|PIN|money|benefits)\b"
        r"(?! (?:to|for) (?:pay|buy|do|get) (?:his|her|their|my|the) "
        r"(?:bills|shopping|rent|food|groceries|prescriptions))",
        unless=rf"\bwith {_POSS} (?:permission|consent|agreement)\b|\bat {_POSS} request\b",
    ),
    _cues(r"\b(?:financial|material) (?:abuse|exploitation)\b"),
)

_SLAVERY = SignalType(
    "modern slavery", "Possible modern slavery",
    _cues(
        r"\bforced (?:labou?r|to work)\b|\bdebt bondage\b|\bdomestic servitude\b|\btraffick\w*",
        rf"\b{_OTHER} {_TAKE} {_POSS} {_PAPERS}\b",
        rf"\b(?:withheld|confiscated|withholding|confiscating) {_POSS} {_PAPERS}\b",
        rf"\b{_PAPERS}\b[^.;]{{0,20}}\b(?:taken|kept|withheld|held|confiscated) (?:by|from)\b",
        rf"\b{_PAPERS} (?:was|were|has been|have been|is being|are being) (?:taken|withheld|confiscated)\b",
        r"\bcounty lines\b|\bcuckoo(?:ing|ed)\b",
        r"\b(?:can't|cannot|not allowed to|isn't allowed to|is not allowed to) leave (?:the )?"
        r"(?:premises|workplace|site|farm|factory|car wash|nail bar)\b",
    ) + _cues(
        r"\b(?:works?|working|worked)\b[^.;]{0,30}\bfor (?:no|little or no|hardly any) (?:pay|money|wages)\b"
        rf"|\bnot (?:being )?paid for {_POSS} work\b",
        unless=r"\bvolunteer\w*|\bcharity\b|\bwork experience\b|\bfamily business\b",
    ),
    _cues(r"\bmodern slavery\b(?! act\b)|\bslavery\b(?! act\b)"),
)

_DISCRIMINATORY = SignalType(
    "discriminatory abuse", "Possible discriminatory abuse",
    _cues(
        r"\b(?:racial(?:ly)?|racist|homophobic|transphobic|disablist|ableist|sexist|religious(?:ly)?)\b[^.;]{0,10}"
        r"\b(?:abuse|abused|slurs?|insults?|comments|remarks|names|attack\w*|harass\w*)\b",
        r"\bhate (?:crime|incident)s?\b",
        r"\b(?:was|were|been|being|felt|feels|feel) discriminated against\b",
        r"\b(?:mocked|mocks|mocking|taunted|harassed|refused \w+|turned away|excluded)\b[^.;]{0,20}"
        r"\bbecause (?:of )?(?:his|her|their|my|she is|he is|they are|i am|i'm) "
        + _any("race colour religion faith disability disabled sexuality gay lesbian trans gender age accent skin "
               "muslim jewish black autistic") + r"\b",
    ),
    _cues(r"(?<!anti-)(?<!anti )(?<!non-)\bdiscriminat(?:ion|ory|ing)\b(?! law\b| act\b)"),
)

_ORGANISATIONAL = SignalType(
    "organisational abuse", "Possible organisational abuse",
    _cues(
        r"\b(?:residents|patients|people)\b[^.;]{0,30}\b(?:left|kept) "
        r"(?:in (?:soiled|wet|dirty)|in bed all day|unwashed|without (?:food|drinks?|water|help))\b",
        r"\b(?:residents|patients|everyone)\b[^.;]{0,30}\b(?:put to bed|got up|woken) at "
        r"(?:[1-7](?:\.\d\d)?\s?(?:pm|am)?|the same time)\b",
        r"\bcall bells?\b[^.;]{0,20}\b(?:ignored|unanswered|out of reach|taken away|switched off)\b",
        r"\b(?:staff|carers|workers)\b[^.;]{0,20}\b(?:shout(?:s|ed|ing)? at|mock(?:s|ed|ing)?|ignor(?:e|es|ed|ing)"
        r"|rough(?:ly)? handl\w*) (?:the )?(?:residents|patients|people)\b",
        r"\bno choice (?:about|over) when (?:they|residents|patients|people) (?:get up|eat|go to bed|wash)\b",
        r"\b(?:blanket|rigid) (?:rules|restrictions|routines|regime)\b",
    ),
    _cues(r"\b(?:organisational|organizational|institutional) (?:abuse|neglect)\b"),
)

_NOT_DONE = _any(
    "hasn't has_not haven't have_not hadn't had_not isn't is_not wasn't was_not not_been never_been not never "
    "doesn't does_not don't do_not didn't did_not won't will_not"
)
_NEGLECT = SignalType(
    "neglect or acts of omission", "Possible neglect or acts of omission",
    _cues(
        r"\bleft (?:him|her|them|me|alone)? ?(?:lying )?(?:in (?:soiled|wet|dirty) (?:clothes|pads?|bedding|bed|sheets)"
        r"|in (?:his|her|their) own (?:urine|faeces|excrement))\b",
        r"\bleft (?:him|her|them|me)? ?(?:alone )?(?:without|with no) "
        r"(?:food|water|drinks?|medication|medicine|heating|help|care)\b",
        rf"\b{_NOT_DONE} (?:been )?(?:give|gives|given|giving|get|got|getting|fed|feed|washed|changed|turned|taken) "
        r"(?:him|her|them|me)?\s?(?:his|her|their|my|any)? ?"
        r"(?:medication|medicine|insulin|tablets|meals|food|drinks?|water|to the toilet|to appointments)\b"
        r"[^.;]{0,30}\b(?:days|weeks|hours|since|at all|again|ever|regularly|often)\b",
        r"\b(?:untreated|unattended|ignored|worsening|infected) pressure (?:sores?|ulcers?|damage)\b"
        r"|\bpressure (?:sores?|ulcers?)\b[^.;]{0,30}\b(?:untreated|ignored|left)\b",
        r"\b(?:malnourish\w*|dehydrated|dehydration|emaciated)\b",
        r"\b(?:missed|missing) (?:care calls|care visits|visits)\b[^.;]{0,30}"
        r"\b(?:again|often|repeatedly|regularly|several|most|every)\b"
        r"|\b(?:repeatedly |regularly |often |several |many )?missed care (?:calls|visits)\b",
        r"\bcarers? (?:often |regularly |repeatedly |frequently |sometimes )?"
        r"(?:don't|do not|doesn't|does not|didn't|did not|never) (?:turn up|arrive|come|show up)\b",
    ),
    _cues(r"(?<!self-)(?<!self )\bneglect(?:ed|ing|ful)?\b"),
)

_SELF_NEGLECT = SignalType(
    "self-neglect", "Possible self-neglect",
    _cues(
        r"\bhoard(?:ing|s|ed|er)?\b",
        r"\bsqual(?:or|id)\b|\b(?:infested|infestation|maggots)\b",
        r"\b(?:not|stopped|isn't|is not|hasn't been|has not been|hardly|barely) (?:eating|washing)"
        r"(?: (?:or|and) (?:drinking|eating|washing))?\b(?! (?:up|out|dishes|the (?:dishes|car|pots|clothes)|meat)\b)",
        r"\b(?:refus\w*|declin\w*|turn\w* down) (?:all|any) (?:help|care|support|food)\b[^.;]{0,40}"
        r"\b(?:squal\w*|dirty|filth\w*|not eating|rotting|unwashed|urine|faeces)\b",
        r"\b(?:rotting|mouldy|rotten) food\b|\bsmell(?:s|ed|ing)? (?:strongly )?of (?:urine|faeces)\b",
        r"\bunwashed for (?:days|weeks)\b|\bhasn't (?:washed|eaten|changed (?:his|her|their) clothes) "
        r"(?:for|in) (?:days|weeks)\b",
    ),
    _cues(r"\bself[- ]neglect(?:ing)?\b"),
)

_CHILD = SignalType(
    "harm to a child", "Possible harm to a child",
    _cues(
        rf"\b(?:he|she|they|someone|somebody|a man|a woman|{_FAMILY}|mum's (?:boyfriend|partner)"
        rf"|dad's (?:girlfriend|partner)) (?:hurts|hurt|{_HIT}|touches|touched|burns|burned|bites|bit) "
        r"(?:me|him|her)\b",
        r"\b(?:frightened|scared|afraid|terrified|too scared|doesn't want|does not want|won't|refuses) "
        r"(?:of going|to go) (?:back )?home\b",
        r"\b(?:children|child|kids|baby|toddler)\b[^.;]{0,25}\b(?:left alone|left on (?:their|his|her) own"
        r"|(?:always|often|constantly|regularly|going) hungry|not fed|no food|unwashed)\b",
        r"\b(?:comes|came|arrives|arrived) (?:to school|to nursery|in) (?:hungry|with (?:bruises|marks|injuries))\b",
        r"\b(?:at risk of|suffering|likely to suffer) significant harm\b",
        r"\b(?:child|children|young people|young person) (?:sexual |criminal )?exploitation\b|\bCSE\b|\bCCE\b",
    ) + _cues(
        r"\b(?:marks|bruis\w*|burns?|injur\w*|cuts?)\b[^.;]{0,25}\b(?:on|to) (?:the |a |his |her |their )?"
        r"(?:child|baby|toddler|infant|kids?|children|face|arms?|legs?|back|neck|body|bottom)\b",
        unless=_ACCIDENT,
    ),
    needs_child=True,
)

_SELF = _any("myself himself herself themselves")
_SUICIDE = SignalType(
    "suicidal thoughts or self-harm", "Possible risk of suicide or self-harm",
    _cues(
        r"\bsuicidal (?:thoughts|ideation|feelings|intent|plans?)\b|\b(?:feels|feeling|felt|is|was|became) suicidal\b"
        r"|\battempted suicide\b|\bsuicide (?:attempt|note|plan)\b",
        rf"\b(?:kill|killing|harm|harming) {_SELF}\b",
        r"\b" + _any("wants?_to wanted_to tried_to trying_to threatens?_to threatened_to thinks?_about thought_about "
                     "thinking_about talks?_about talked_about talking_about")
        + rf" (?:hurt|cut|burn|harm|kill) {_SELF}\b",
        rf"\b(?:end|ending|take|taking) {_POSS} (?:own )?life\b",
        r"\b(?:wants?|wanted|wanting) to die\b|\bbetter off (?:dead|without (?:me|him|her|them))\b"
        r"|\bno (?:reason|point) (?:to|in) (?:live|living|going on|being here)\b",
        r"\b(?:doesn't|does not|don't|do not|didn't) want to (?:live|be alive|be here any ?more|go on|wake up)\b",
        r"\bself[- ]harm(?:s|ed|ing)?\b|\boverdos(?:e|ed|ing)\b",
    ) + _cues(
        rf"\b(?:hurting|cutting|burning) {_SELF}\b(?! (?:a|some|off)\b)",
        unless=_ACCIDENT + r"|\b(?:cooking|shaving|kitchen|knife)\b",
    ),
    _cues(r"(?<!by )(?<!to )(?<!from )\bsuicide\b"),
)

_WEAPON = _any("knife knives gun firearm weapon machete blade axe")
_DANGER = SignalType(
    "immediate danger", "Possible immediate danger",
    _cues(
        r"\b(?:threat\w*|attack\w*|came at|comes at|stabb?\w*|waving|brandish\w*|pulled|held|holding"
        rf"|carr(?:y|ies|ying|ied)) (?:\w+ ){{0,3}}(?:with )?(?:a )?{_WEAPON}\b"
        r"(?! (?:and fork|to cut|for (?:cooking|food)))",
        r"\bthreat(?:s|en|ens|ened|ening)? to kill\b"
        r"|\b(?:said|says|saying|told \w+) (?:he|she|they)(?:'ll| will| would| is going to| are going to) kill\b",
        r"\bin (?:immediate |serious )?danger(?: now| right now| tonight| today)\b"
        r"|\b(?:is|am|are) in (?:immediate |serious )?danger\b(?! of\b)",
        r"\blocked (?:in|inside) (?:his|her|their|my|the) (?:room|bedroom|house|flat|home)\b"
        rf"|\block(?:s|ed|ing) {_OBJ} in\b",
        r"\bno (?:food|heating|heat|water|electricity)(?:,| and| or) (?:no )?(?:food|heating|heat|water|electricity)\b"
        r"[^.;]{0,40}\b(?:days|freezing|winter|cold)\b",
        r"\b(?:without|no) (?:food|heating|heat|water) for (?:days|a week|\w+ days)\b"
        r"|\bnot eaten for (?:days|a week|\w+ days)\b|\bhypotherm\w*",
        unless=_HYPOTHETICAL,
    ) + _cues(
        rf"\b{_NOT} (?:feel |feeling )?safe "
        r"(?:to go home|at home|there|with (?:him|her|them)|tonight|right now|now)\b",
        unless=_HYPOTHETICAL + "|" + _ACCIDENT + r"|\b(?:stairs|trip hazards?|steps|bath|shower)\b",
    ),
)

_UNSTATED = SignalType(
    "abuse (type not stated)", "Possible abuse or a safeguarding concern",
    _cues(
        rf"\b(?:being|been|was|were|is|are|get|gets|getting) abused\b|\babus(?:es|ing|ed) {_OBJ}\b",
        r"(?<!substance )(?<!alcohol )(?<!drug )\babuse (?:from|by) (?:his|her|their|my|a|the) \w+",
        r"\babusive " + _any("carer son daughter family father mother parent brother sister relative neighbour")
        + r"\b",
        r"\b" + _any("raised raise raising made make making submitted submit")
        + r" a safeguarding (?:concern|alert|referral)\b",
        r"\bsafeguarding (?:concern|referral|alert) (?:about|for|regarding)\b"
        r"|\bsection 42 enquiry (?:is|was|has been) (?:opened|started|underway)\b",
    ),
)

# Order matters: the first ten follow Care Act statutory guidance para 14.17; the UI lists them in this order.
_SIGNALS: tuple[SignalType, ...] = (
    _PHYSICAL, _DOMESTIC, _SEXUAL, _PSYCHOLOGICAL, _FINANCIAL, _SLAVERY, _DISCRIMINATORY, _ORGANISATIONAL,
    _NEGLECT, _SELF_NEGLECT, _CHILD, _SUICIDE, _DANGER, _UNSTATED,
)

SAFEGUARDING_TYPES: tuple[str, ...] = tuple(s.name for s in _SIGNALS)
_CHILD_HARM_TYPES = ("physical abuse", "sexual abuse", "psychological or emotional abuse",
                     "neglect or acts of omission", "domestic abuse", "modern slavery", "abuse (type not stated)")

# Negation only counts inside the clause that holds the cue, a few words back.
_NEGATION = re.compile(
    r"\b(?:no|not|never|without|denies|denied|deny|denying|nor|none|nothing|neither|nobody|no-one|no one)\b"
    r"(?!\s+(?:only|clear|sure|certain|known|just|yet|doubt)\b)"
    r"|n't\b(?!\s+(?:know|clear|sure))|\bruled out\b|\bfree (?:from|of)\b|\babsence of\b",
    _I,
)
_CLAUSE_BREAK = re.compile(
    r"[.;:!?()\n,]|—|–| - "
    r"|\b(?:but|however|because|although|though|and|as|so|since|while|whereas|yet|who|which|after|when)\b",
    _I,
)
_NEG_WINDOW_WORDS = 6

# Sentences that teach or define abuse rather than describe a person.
_TRAINING = re.compile(
    r"\b(?:types|categories|forms|kinds|examples) of (?:abuse|harm|neglect)\b"
    r"|\b(?:training|course|module|workshop|e-learning|policy|procedures)\b|\bstatutory guidance\b|\b14\.17\b"
    r"|\bdefin(?:e|es|ed|ition|itions) of\b|\bincludes? (?:physical|domestic|sexual|financial) abuse\b",
    _I,
)
_CHILD_CONTEXT = re.compile(
    r"\b(?:child|children|childhood|kid|kids|baby|babies|toddler|infant|boy|girl|pupil|pupils|school|nursery|teacher"
    r"|teen|teens|teenager|teenagers|young person|young people|young carer|stepdad|step-dad|stepfather"
    r"|foster(?:ed|ing)?"
    r"|looked[- ]after|care leaver|leaving care|year \d{1,2}|GCSEs?)\b"
    r"|\b(?:aged?|age) (?:[0-9]|1[0-7])\b|\b(?:[0-9]|1[0-7])[- ](?:years?|yrs?|months?)[- ]old\b"
    r"|\b(?:is|was) (?:[0-9]|1[0-7])\b(?![.:]\d| ?(?:%|am|pm|stone|kg|miles?|minutes|hours|days|weeks)\b)"
    r"|\b(?-i:[A-Z][a-z]+) \((?:[0-9]|1[0-7])\)",
    _I,
)
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "‑": "-"})


def detect(text: str) -> Safeguarding:
    """Look for signs of abuse, neglect or risk in a situation; flag them with a reminder."""
    if not isinstance(text, str):
        raise InputError("The situation must be text; describe it in words and try again.")
    clean = text.translate(_TRANSLATE)  # same length: offsets stay valid
    sentences = sentence_spans(clean)
    child = bool(_CHILD_CONTEXT.search(clean))
    found: dict[str, str] = {}
    where: dict[str, str] = {}
    for signal in _SIGNALS:
        if signal.needs_child and not child:
            continue
        phrase, sentence = _first_hit(clean, sentences, signal)
        if phrase:
            found[signal.name], where[signal.name] = phrase, sentence
    if child and "harm to a child" not in found:
        found.update(_child_from_abuse(found, where))
    if not found:
        return Safeguarding(flag=False, reasons=[], guidance="")
    reasons = [f"{s.label}: '{found[s.name]}'" for s in _SIGNALS if s.name in found]
    return Safeguarding(flag=True, reasons=reasons, guidance=_guidance(found, child))


def _child_from_abuse(found: dict[str, str], where: dict[str, str]) -> dict[str, str]:
    """Abuse or neglect described in a sentence about a child is also a child-protection signal."""
    for name in _CHILD_HARM_TYPES:
        if name in found and _CHILD_CONTEXT.search(where[name]):
            return {"harm to a child": found[name]}
    return {}


def _first_hit(text: str, sentences: list[tuple[int, int]], signal: SignalType) -> tuple[str, str]:
    """The earliest un-negated cue of this type: (phrase, its sentence), or ("", "")."""
    for start, end in sentences:
        sentence = text[start:end]
        training = bool(_TRAINING.search(sentence))
        best: re.Match[str] | None = None
        for cue in signal.cues + (() if training else signal.terms):
            if cue.unless is not None and cue.unless.search(sentence):
                continue
            for m in cue.pattern.finditer(sentence):
                if not _negated(sentence, m.start()):
                    if best is None or m.start() < best.start():
                        best = m
                    break
        if best is not None:
            return _tidy(best.group(0)), sentence
    return "", ""


def _negated(sentence: str, cue_start: int) -> bool:
    """True when a negation word sits in the same clause, a few words before the cue."""
    before = sentence[:cue_start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    window = " ".join(clause.split()[-_NEG_WINDOW_WORDS:])
    return bool(_NEGATION.search(window))


def _tidy(phrase: str) -> str:
    phrase = " ".join(phrase.split()).strip(" ,;:-")
    return phrase if len(phrase) <= 80 else phrase[:77].rstrip() + "…"


def _guidance(found: dict[str, str], child: bool) -> str:
    parts = [
        "Pause the strengths-based conversation plan: what you describe may be a safeguarding concern. "
        "A strengths-based approach never replaces safeguarding duties. For an adult with care and support "
        "needs who may be experiencing, or at risk of, abuse or neglect, the local authority's duty to make "
        "enquiries under section 42 of the Care Act 2014 still applies.",
    ]
    if child:
        parts.append(
            "Because a child may be involved, follow child-protection procedures: your local safeguarding "
            "children partnership procedures and, where a child may be suffering or likely to suffer significant "
            "harm, enquiries under section 47 of the Children Act 1989. Refer to children's social care; do not "
            "investigate yourself, and write down what the child said in their own words."
        )
    if "suicidal thoughts or self-harm" in found:
        parts.append(
            "Take any talk of suicide or self-harm seriously: ask about it directly and calmly, do not leave "
            "someone alone if they are at immediate risk, and get urgent help (999, the local mental-health "
            "crisis line or NHS 111, or their GP)."
        )
    parts.append(
        "Follow your local safeguarding procedures and talk to your manager or safeguarding lead today. "
        "If anyone is in immediate danger, call 999."
    )
    parts.append(
        "Making Safeguarding Personal: keep the person at the centre, ask what they want to happen and which "
        "outcomes matter to them, and involve them in every decision as far as they are able."
    )
    return " ".join(parts)


_FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "adults": (
        "What would you like to happen next?",
        "Who do you trust and feel comfortable talking to about this?",
        "What helps you feel safe, and what makes you feel less safe?",
        "How would you like to be involved in decisions about what happens now?",
        "What would a good outcome look like for you?",
        "When things have been hard before, what or who helped you get through?",
    ),
    "carers": (
        "What would you like to happen next, for you and for the person you care for?",
        "Who do you trust to talk to when things feel difficult at home?",
        "What would help you both feel safe and supported?",
        "How would you like to be involved in any decisions from here?",
        "What support would make the biggest difference to you right now?",
    ),
    "children-families": (
        "What would you like to happen next?",
        "Which grown-ups do you trust and feel able to talk to?",
        "What helps you feel safe at home, at school and with friends?",
        "How would you like us to keep you up to date with what happens?",
        "What are the good things in your life that you want to keep?",
    ),
    "community": (
        "What would you like to happen next?",
        "Who in your community do you trust to talk to?",
        "What helps you feel safe where you live?",
        "How would you like to be involved in what happens from here?",
        "What would a good outcome look like for you?",
    ),
}


def safe_followups(setting: str = "adults") -> list[str]:
    """Person-led, outcome-focused open questions to use once a concern has been flagged."""
    key = (setting or "adults").strip().lower()
    if key not in _FOLLOWUPS:
        raise InputError(f"Unknown setting '{setting}': choose one of {', '.join(SETTINGS)}.")
    return list(_FOLLOWUPS[key])
