"""The safeguarding signal table: one row per type of abuse, neglect or risk, as plain regular expressions.

Rows follow the ten types of abuse and neglect in Care Act statutory guidance (para 14.17),
then a child's disclosure of harm, suicidal thoughts or self-harm, and immediate danger.
Cues are written the way practitioners describe what they saw or heard, often indirectly
("son has taken over her bank card", "bruises she won't explain"); `unless` and `requires`
keep ordinary needs (falls, loneliness, a tired carer, a messy home) from flagging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_TAKE = r"(?:has |have |had |is |are |was |were |keeps )?(?:been )?" + _any(
    "take_over takes_over took_over taken_over taking_over take takes took taken taking steal steals stole stolen "
    "stealing withhold withholds withheld pocket pockets pocketed spends spent spending cashes cashed cashing keeps "
    "kept holds held controls controlled controlling empties emptied emptying drains drained draining"
)
# Someone other than the person: "her son takes her pension", not "she takes her pension out".
_OTHER = rf"(?:{_FAMILY}s?|someone|somebody|a man|a woman|people|employers?|boss|gang|agents?|they)['\"]?"
_USE = _any("using uses used use misusing misuses misused spend spends spent spending")
_MONEY = _any("pension benefits? money savings bank_?card cards? cash wages PIP universal_credit attendance_allowance")
_PAPERS = _any("passports? papers documents ID identity_documents visas?")
_NOT = _any("not isn't doesn't does_not don't do_not")


@dataclass(frozen=True)
class Cue:
    """One pattern; `unless` (in the same sentence) marks an innocent reading, `requires` a needed context."""

    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    requires: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SignalType:
    """A type of abuse or risk: concrete cues, plus the type's own name (ignored in training text)."""

    name: str
    label: str
    cues: tuple[Cue, ...]
    terms: tuple[Cue, ...] = ()
    needs_child: bool = False


def _cues(*patterns: str, unless: str | None = None, requires: str | None = None) -> tuple[Cue, ...]:
    guard = re.compile(unless, _I) if unless else None
    need = re.compile(requires, _I) if requires else None
    return tuple(Cue(re.compile(p, _I), guard, need) for p in patterns)


_ACCIDENT = (r"\b(?:fell|fall|falls|falling|tripped|trip|slipped|slip|bumped|knocked (?:into|against)"
             r"|(?:walked|walking|walks|banged|banging) (?:into|against|on)|door ?frame|furniture|coffee table"
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
        rf"\b(?:tied|ties|tying|strapped|straps|restrain(?:s|ed|ing)?) (?:{_OBJ}|residents|patients|people) "
        r"(?:(?:to|in|into) (?:the|a|his|her|their) (?:beds?|chairs?)|up|down)\b",
        rf"\block(?:s|ed|ing)? {_OBJ} (?:in|up)\b|\b(?:keeps?|kept|keeping) {_OBJ} locked (?:in|up|inside)\b",
        r"\bhands? (?:round|around|on) (?:her|his|their|my) (?:neck|throat)\b",
        rf"\b(?:push|pushes|pushed|pushing|shove\w*|knock\w*) {_OBJ} (?:around|about)\b"
        r"(?! (?:the|in|on|town|a|his|her|their)\b)",
        rf"\b{_any('burn burns burned burnt scald scalded bite bites bitten')} (?:on|to) {_POSS} \w+",
        r"\bblack eye\b|\bfinger[- ]?(?:tip |shaped )?(?:marks|bruis\w*)|\bgrip marks\b|\bcigarette burns?\b"
        r"|\bunexplained (?:[\w-]+ ){0,3}(?:bruis\w*|injur\w*|marks|fractures?|burns?|cuts|scratches|wounds|skin tears?|grazes?|swelling)\b",
        r"\b(?:gets?|got|getting) (?:rough|violent|physical|handy)[\"']? with (?:her|him|them|me)\b"
        r"|\brestrain(?:s|ed|ing|t)?\b[^.;]{0,20}\b(?:face[- ]down|prone|on the floor)\b|\bprone restraint\b",
        rf"\b(?:he|she|they|{_FAMILY}) (?:hurts|has hurt|keeps hurting|hurt) (?:me|her|him)\b(?! feelings)",
        r"\b(?:bruis\w*|injur\w*|marks|burns|cuts|scratches|wounds)\b[^.;]{0,30}\b(?:she|he|they|nobody|no one) "
        r"(?:won't|will not|can't|cannot|couldn't|could not|refuses to|doesn't want to|does not want to|is unable to) "
        r"explain\b",
        r"\bflinch(?:es|ed|ing)?\b[^.;]{0,40}\b(?:when|whenever|if|as)\b",
        r"\b(?:sedat\w*|medicat\w*|tablets|drugs)\b[^.;]{0,20}\bto keep (?:him|her|them|residents|people|everyone) "
        r"(?:quiet|calm|asleep|in bed|manageable|compliant|docile)\b",
        r"\bover-?medicat\w*|\bsedat\w* (?:him|her|them) to keep\b|\bmedication to keep (?:him|her|them) quiet\b",
    ) + _cues(
        r"\b(?:pinch|pinches|pinched|pinching|twist|twists|twisted|twisting|yank\w*|slap\w*|punch\w*|kick\w*|bit|bites"
        r"|bitten) (?:her|his|their|my) (?:arms?|wrists?|hair|ears?|face|cheeks?|legs?|hands?|skin)\b",
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
        rf"\b{_PARTNER}\b[^.;]{{0,30}}\b(?:controls|controlled|controlling|takes|took|keeps|holds) (?:all )?"
        r"(?:of )?(?:the|her|his|their) (?:money|finances|phone|car keys|bank cards?)\b",
    ) + _cues(
        r"\b(?:doesn't|does not|won't|will not|never|isn't|is not|aren't|are not|not) (?:let|allowed|being let) "
        r"(?:(?:her|him|them|me) )?(?:out of (?:the|her|his|their|my) (?:house|flat|home|room|bedroom)"
        r"|out (?:alone|on (?:her|his|their|my) own))\b",
        rf"\b{_PARTNER}\b[^.;]{{0,30}}\block(?:s|ed|ing) (?:her|him|them|me) (?:out|in)\b",
        unless=r"\b(?:after|past|late|at night|before) \w*\s?(?:\d|dark|midnight|night)|\bgrounded\b",
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
        rf"\b(?:touch|touches|touched|touching) {_OBJ}\b[^.;]{{0,30}}\b(?:in ways? (?:she|he|they|I) "
        r"(?:does not|doesn't|did not|didn't|don't|do not) like|where (?:she|he|they|I) (?:does not|doesn't|didn't|don't) "
        r"want|when (?:she|he|they|I) (?:says?|said) no|against (?:her|his|their|my) will)",
        r"\b(?:sexual|explicit|indecent|nude|naked) (?:messages|images|photos|pictures|texts|videos|selfies|content)\b"
        r"[^.;]{0,30}\b(?:from|to|by|with) (?:an? )?(?:adult|older|man|men|stranger|someone)\b",
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
        r"\b(?:throw|throws|threw|throwing) (?:eggs|stones|bricks|rubbish|dog mess) at (?:his|her|their|my) "
        r"(?:windows?|house|door|flat|car)\b",
        rf"\btreat(?:s|ed|ing)? {_OBJ} (?:like|as) (?:a |an )?(?:dog|animal|piece of dirt)\b",
        r"\bmade to feel (?:worthless|useless|stupid|a burden)\b",
        rf"\b(?:tells|told|telling|keeps telling|kept telling) {_OBJ} (?:that )?(?:she|he|they|I|you)(?:'s|'re| is| are| am|"
        r" was| were)? (?:a burden|useless|worthless|stupid|pathetic|a waste of (?:space|time|money)|mad|crazy|"
        r"nothing|unlovable|to blame)\b",
        rf"\b(?:afraid|scared|frightened|terrified|fearful) of (?:{_POSS} {_FAMILY}s?|(?:the )?(?:staff|carers?|workers?|"
        r"manager))\b(?!['’]s)",
    ),
    _cues(r"\b(?:emotional|psychological)(?:ly)? (?:abuse|abused|harm)\b"),
)

_FINANCIAL = SignalType(
    "financial or material abuse", "Possible financial or material abuse",
    _cues(
        rf"\b(?:he {_TAKE} her|she {_TAKE} his) {_MONEY}\b",
        rf"\b{_MONEY}\b[^.;]{{0,20}}\b(?:stolen|withheld|going missing|gone missing|(?:is|are|was|were) missing)\b",
        rf"\b(?:pressur\w*|forced|forcing|made|making|bullied|bullying|persuaded|tricked) {_OBJ} (?:(?:in)?to )?sign\w*",
        r"\b(?:took|taken|takes|taking) out (?:a |an )?(?:loans?|credit cards?|mortgage|phone contracts?|catalogue"
        r" accounts?) in (?:her|his|their|my) name\b|\bdebts? (?:she|he|they) (?:didn't|did not|doesn't) know about\b",
        r"\b(?:jewellery|valuables|possessions|belongings|medication|tablets|cash|money)\b[^.;]{0,25}\b(?:disappeared"
        r"|gone missing|go missing|going missing|vanished|been taken|been stolen)\b",
        r"\b(?:charged|paid|overcharged)\b[^.;]{0,50}\b(?:never (?:done|finished|carried out|started)|not needed"
        r"|didn't need|unnecessary)\b|\bkeeps? coming back for more (?:money|cash)?",
        r"\bfor protection\b[\"']?|\bprotection money\b",
    ) + _cues(
        rf"\b(?:asking|asks|asked|pressuring|pressures|pressured) {_OBJ} (?:to send|for) (?:money|cash|gift cards|vouchers)\b",
        requires=r"\b(?:online|befriend\w*|internet|dating|stranger|texts?|messages?|social media|facebook|scam\w*)\b",
    ) + _cues(
        r"\bgo(?:es|ing)? without (?:food|meals|heating)\b[^.;]{0,40}\bso (?:that )?(?:her|his|their) "
        r"(?:son|daughter|grandson|granddaughter|partner|husband|wife|nephew|niece|carer|lodger)\b",
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
        rf"\b{_MONEY}\b (?:has|have|had) (?:all )?(?:gone|disappeared|vanished|dried up|been (?:spent|emptied|drained))"
        r"(?! (?:up|down|on|towards|into|to pay|back)\b)",
        r"\b(?:account|accounts|savings|bank balance)\b[^.;]{0,15}\b(?:emptied|drained|cleared out|wiped out)\b",
        rf"\b(?:keeps|always|constantly|repeatedly|regularly) (?:asking|demanding|pestering|begging) {_OBJ} for "
        r"(?:money|cash|loans?)\b|\bborrow\w* (?:money|cash)\b[^.;]{0,40}\bnever (?:pays?|paid|gives?|gave) (?:it )?back\b",
        rf"\b(?:sign|signed|signing) over {_POSS} (?:house|home|flat|property|savings|car)\b",
    ) + _cues(
        rf"\b{_OTHER} {_TAKE} (?:all )?(?:of )?{_POSS} {_MONEY}\b",
        rf"\b{_OTHER}\b[^.;]{{0,25}}?\b(?:withdraw\w*|taking|takes|took|moving|moves|moved|transferr\w*) "
        r"(?:cash|money|£[\d,]+)\b[^.;]{0,15}\bfrom (?:his|her|their) (?:account|bank|savings|purse|wallet)\b",
        rf"\b(?:makes?|made|making|forces?|forced|pressur\w*) {_OBJ} (?:to )?(?:withdraw|hand over|give|transfer|lend)\b"
        r"[^.;]{0,20}\b(?:money|cash|pension|savings|benefits|£)",
        # Someone else using the person's money: "they use his PIP to buy alcohol", not "she uses her money".
        rf"\b(?:{_OTHER}\b[^.;]{{0,25}}?\b{_USE}|he\b[^.;]{{0,15}}?\b{_USE}(?= her\b)"
        rf"|she\b[^.;]{{0,15}}?\b{_USE}(?= his\b)) (?:his|her|my) (?:{_MONEY}|account|PIN)\b"
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
        r"\b(?:forced|made|being made|being forced|pressured|groomed) (?:in)?to (?:sell|deal|carry|deliver|hold|store|move)"
        r" (?:drugs|weed|cannabis|packages|parcels)\b",
        rf"\btreat(?:s|ed|ing)? {_OBJ} (?:like|as) (?:a |an |their |his |her )?(?:servant|slave|maid|skivvy|housemaid)\b",
        r"\b(?:can't|cannot|not allowed to|isn't allowed to|is not allowed to) leave (?:the )?"
        r"(?:premises|workplace|site|farm|factory|car wash|nail bar)\b",
        rf"\b{_PAPERS}\b (?:is |are |was |were |has been |have been |being )?(?:held|withheld|confiscated|taken away)\b"
        r"(?! (?:safely|securely|in|at|for safe))",
        r"\b(?:owes?|owed|owing) (?:a )?(?:huge |big |large )?(?:debt|money) to (?:the (?:people|man|men|gang|boss)"
        r"|(?:his|her|their) (?:boss|employer|traffickers?|agents?|gangmaster))\b",
    ) + _cues(
        r"\bnot (?:allowed|permitted) to leave\b(?! (?:work |the office |school )?(?:early|before|until))",
        requires=r"\b(?:work\w*|job|boss|employer|paid|pay|wages|debt|brought (?:him|her|them) (?:to|into))\b",
    ) + _cues(
        r"\b(?:works?|working|worked)\b[^.;]{0,30}\b(?:for (?:no|little or no|hardly any) (?:pay|money|wages)|"
        r"without (?:pay|wages|being paid)|for food and (?:a bed|shelter|board))\b"
        rf"|\bnot (?:being )?paid for {_POSS} work\b",
        r"\b(?:sleep|sleeps|sleeping|slept|living|lives|live) (?:on site|at (?:the|their|his|her) (?:work(?:place)?|"
        r"car wash|factory|nail bar|site)|in the (?:back of the )?(?:car wash|workplace|factory|nail bar|van|warehouse|"
        r"storeroom|stockroom|back room|kitchen|shed|container))\b",
        r"\bpaid (?:only |just )?£\d{1,2} (?:a|per) (?:week|day|month)\b(?![^.;]*\b(?:pocket money|paper round|allowance))",
        r"\b(?:made|forced|being made|being forced) to work\b[^.;]{0,60}\b(?:not paid|no pay|unpaid|without pay"
        r"|for nothing|for free)\b",
        unless=r"\bvolunteer\w*|\bcharity\b|\bwork experience\b|\bfamily business\b|\bapprentice\w*|\bintern\w*"
        r"|\bfestival\b|\bcamp(?:ing|site)?\b",
    ),
    _cues(r"\bmodern slavery\b(?! act\b)|\bslavery\b(?! act\b)"),
)

_DISCRIMINATORY = SignalType(
    "discriminatory abuse", "Possible discriminatory abuse",
    _cues(
        r"\b(?:racial(?:ly)?|racist|homophobic|transphobic|disablist|ableist|sexist|religious(?:ly)?)\b[^.;]{0,10}"
        r"\b(?:abuse|abused|slurs?|insults?|comments|remarks|names|attack\w*|harass\w*)\b",
        r"\bhate (?:crime|incident)s?\b",
        rf"\b(?:call|calls|called|calling|shout|shouts|shouted|shouting) {_OBJ} (?:a |an )?"
        + _any("paedo pervert retard spastic spaz mong freak cripple terrorist gyppo pikey paki") + r"\b",
        r"\b(?:was|were|been|being|felt|feels|feel) discriminated against\b",
        r"\b(?:mocked|mocks|mocking|taunted|harassed|refused \w+|turned away|excluded)\b[^.;]{0,20}"
        r"\bbecause (?:of )?(?:his|her|their|my|she is|he is|they are|i am|i'm) "
        + _any("race colour religion faith disability disabled sexuality gay lesbian trans gender age accent skin "
               "muslim jewish black autistic") + r"\b",
        r"\bmock(?:s|ed|ing)? (?:his|her|their|my) (?:accent|speech|stammer|disability|religion|faith|skin|colour|hearing"
        r"|deafness|wheelchair|hijab|turban|sexuality)\b",
        rf"\bpeople like {_OBJ}\b[^.;]{{0,30}}\b(?:waste|don't deserve|do not deserve|shouldn't be|should not be|"
        r"scroungers?|burden|animals|vermin)\b",
        r"\b(?:refus\w*|won't|will not) (?:to )?(?:book|provide|arrange|get|pay for) (?:an? )?(?:interpreter|BSL|"
        r"signer|translator|reasonable adjustments?)\b",
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
        r"\b(?:to suit (?:the )?staff|to save staff time|for (?:the )?staff(?:'s)? convenience|(?:easier|quicker|"
        r"simpler) for (?:the )?staff)\b",
        r"\b(?:banned|bans|stopped|stops|prevented|prevents) (?:the )?(?:residents|patients|tenants|people)\b[^.;]{0,15}"
        r"\bfrom (?:going|leaving|having|using|seeing|getting|eating|choosing)\b",
    ) + _cues(
        r"\bcomplaints? (?:are|were|is|was|get|gets|being|go|goes) (?:routinely |always |often |usually )?"
        r"(?:ignored|dismissed|brushed off|unanswered)\b|\b(?:managers?|staff) (?:ignore|ignores|ignored|dismiss\w*) "
        r"(?:all )?(?:complaints|concerns)\b",
        r"\bvisits? (?:are|were|is|being|get) (?:cut short|stopped|banned|restricted)\b"
        r"|\b(?:phones|belongings|money) (?:are|were) (?:locked away|confiscated|taken away)\b",
        requires=r"\b(?:home|ward|unit|supported living|day centre|hostel|residents|patients|staff|service)\b",
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
        r"\bleft (?:him|her|them|me)? ?(?:alone )?(?:without|with no) (?:(?:his|her|their|my|any) )?"
        r"(?:food|water|drinks?|medication|medicine|meds|insulin|tablets|heating|help|care)\b",
        rf"\b{_NOT_DONE} (?:been )?(?:give|gives|given|giving|get|got|getting|fed|feed|washed|changed|turned|taken) "
        r"(?:him|her|them|me)?\s?(?:his|her|their|my|any)? ?"
        r"(?:medication|medicine|insulin|tablets|meals|food|drinks?|water|to the toilet|to appointments)\b"
        r"[^.;]{0,30}\b(?:days|weeks|hours|since|at all|again|ever|regularly|often)\b",
        r"\b(?:untreated|unattended|ignored|worsening|infected) pressure (?:sores?|ulcers?|damage)\b"
        r"|\bpressure (?:sores?|ulcers?)\b[^.;]{0,30}\b(?:untreated|ignored|left)\b",
        r"\b(?:malnourish\w*|dehydrated|dehydration|emaciated)\b",
        r"\b(?:agency|carers?|care company|care provider)\b[^.;]{0,20}\bmissed (?:\w+ ){0,2}(?:calls|visits)\b"
        r"(?![^.;]*\b(?:snow|weather|flood|strike)\b)",
        r"\b(?:missed|missing) (?:care calls|care visits|visits)\b[^.;]{0,30}"
        r"\b(?:again|often|repeatedly|regularly|several|most|every)\b"
        r"|\b(?:repeatedly |regularly |often |several |many )?missed care (?:calls|visits)\b",
        rf"\b{_FAMILY}s?\b[^.;]{{0,20}}\b(?:will not|won't|doesn't|does not|refuses to|wouldn't|would not) let "
        r"(?:the )?(?:carers?|care agency|agency|district nurses?|nurses?|doctors?|GP|social workers?|professionals"
        r"|anyone|paramedics?|ambulance) (?:in|see (?:her|him|them))\b",
        r"\b(?:in|wearing) the same (?:clothes|nightclothes|nightie|pyjamas|pads?|nappy|underwear) for (?:days|a week"
        r"|weeks|\w+ days)\b",
        r"\bcarers? (?:often |regularly |repeatedly |frequently |sometimes )?"
        r"(?:don't|do not|doesn't|does not|didn't|did not|never) (?:turn up|arrive|come|show up)\b",
        r"\b(?:has|have|had)(?:n't| not) been (?:washed|bathed|changed|fed|turned|helped to wash) "
        r"(?:for|in) (?:days|weeks|months|\w+ (?:days|weeks|months))\b",
    ) + _cues(
        r"\buntreated (?:[\w-]+ ){0,2}(?:ulcers?|sores?|wounds?|infections?|injur\w*)\b"
        r"|\b(?:ulcers?|sores?|wounds?)\b (?:is |are |were |have been |has been |left )(?:\w+ )?(?:untreated|undressed)\b",
        unless=r"\b(?:refus\w*|declin\w*|won't let|will not let|lives alone|turns? away)\b",
    ) + _cues(
        r"\b(?:never|no|hardly any|rarely any) (?:any )?food in the (?:house|flat|home|fridge|cupboards?)\b",
        requires=r"\b(?:lost (?:a lot of )?weight|losing weight|thin|hungry|relies|depends)\b",
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
        r"\b(?:house|flat|home|room|bungalow|kitchen|property|bedroom)\b[^.;]{0,20}\b(?:filled|full|piled high|crammed"
        r"|packed|overflowing|strewn|littered|knee-deep) (?:up )?with (?:rubbish|waste|refuse|bin bags|rotting \w+|"
        r"excrement|faeces|urine|empty bottles|flies|vermin)\b",
        r"\b(?:stopped|isn't|is not|not|no longer) (?:looking after|taking care of|caring for) "
        r"(?:himself|herself|themselves|myself)\b",
    ) + _cues(
        r"\b(?:refus\w*|declin\w*|turn\w* down|won't accept|will not accept|won't let|will not let) (?:all|any|anyone|"
        r"the \w+ (?:nurse|worker|team)) ?(?:in|help|care|support|services|offers of help)?\b",
        requires=r"\b(?:rubbish|heating|running water|ulcers?|sores?|wounds?|not eating|weight|filth\w*|squal\w*|"
        r"hoard\w*|untreated|unwashed|vermin|rats|mice|eating properly|exits|blocked)\b",
    ) + _cues(
        r"\buntreated (?:[\w-]+ ){0,2}(?:ulcers?|sores?|wounds?|infections?|injur\w*)\b"
        r"|\b(?:ulcers?|sores?|wounds?)\b (?:is |are |were |have been |has been |left )(?:\w+ )?(?:untreated|undressed)\b",
        requires=r"\b(?:refus\w*|declin\w*|won't let|will not let|lives alone|turns? away)\b",
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
        r"\b(?:doesn't|does not|don't|do not|won't|never|isn't|is not) (?:give|gives|feed|feeds|given|fed) "
        r"(?:him|her|them|me)? ?(?:any )?(?:food|tea|dinner|meals?|breakfast|lunch)\b",
        r"\bleft in (?:her|his|their|the) (?:cot|pram|buggy|car seat|bedroom|room) (?:all day|all night|for hours)\b"
        r"|\bnappy sores\b|\b(?:severe|untreated|bleeding) nappy rash\b"
        r"|\b(?:staying|stays|stayed|stay) out (?:all night|overnight)\b|\b(?:unexplained|large amounts of|wads of) "
        r"(?:cash|money|gifts)\b|\bfound with (?:\w+ ){0,3}drugs\b",
        r"\b(?:makes?|made|forced|forces) (?:him|her|them|me) (?:to )?sleep (?:in|on|outside)\b(?: (?:the|a) \w+)?"
        r"|\bleft (?:(?:him|her|them) )?(?:home )?alone (?:at home |in the house )?(?:overnight|all (?:day|night|weekend)"
        r"|for (?:hours|days|the weekend))\b",
        r"\b(?:sleeping with|having sex with|in a relationship with|dating|seeing) (?:a |an )?(?:\d{2}|older|adult)"
        r"(?:[- ]years?[- ]old)? (?:man|woman|men|boyfriend|girlfriend)\b",
        r"\b(?:getting|gets|got|get) into cars? with (?:older|unknown|adult|several) (?:men|males|people|boys)\b"
        r"|\b(?:much )?older boyfriend\b|\bgoing missing (?:from home|overnight|for days)\b",
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
        r"\b(?:nobody|no one|no-one)(?: would|'d) (?:miss|notice|care if) (?:me|him|her|them)\b[^.;]{0,25}"
        r"\b(?:gone|dead|died|not here|wasn't here|weren't here)\b"
        r"|\b(?:go to sleep|fall asleep|sleep) and (?:not|never) wake up\b",
        r"\b(?:can't|cannot|can not|doesn't|does not|don't|do not|couldn't|could not) see (?:the|any|a) (?:point|reason) "
        r"(?:in|to|of) (?:going on|living|life|carrying on|being (?:alive|here)|it all)\b|\bend it all\b",
        r"\bstockpil\w* (?:(?:his|her|their|my) )?(?:tablets|pills|medication|medicines|painkillers|insulin)\b"
        r"|\bwish(?:es|ed)? (?:she|he|they|I) (?:wasn't|weren't|was not|were not) (?:here|alive|around)\b"
        r"|\bwish(?:es|ed)? (?:she|he|they|I) (?:was|were) dead\b",
        r"\bself[- ]harm(?:s|ed|ing)?\b|\boverdos(?:e|ed|ing)\b",
        rf"\b(?:tell|tells|told|telling) (?:him|her|them|me) to (?:hurt|harm|kill|cut|burn) {_SELF}\b",
        r"\b(?:tied|tying|made|making|used|using|found with) (?:a )?ligatures?\b",
        r"\b(?:goodbye|farewell|suicide) (?:letters?|notes?|messages?)\b|\b(?:letters?|notes?|messages?)\b[^.;]{0,40}"
        r"\bsaying goodbye\b|\bgiv(?:ing|en|es) away (?:all )?(?:his|her|their|my) (?:belongings|possessions|things)\b"
        r"|\b(?:has|have|had|made|making) (?:a )?plans? to (?:end|take) (?:his|her|their|my) (?:own )?life\b",
    ) + _cues(
        rf"\b(?:hurting|cutting|burning) {_SELF}\b(?! (?:a|some|off)\b)",
        r"\b(?:cutting|burning|scratching|hitting) (?:his|her|their|my) (?:own )?(?:arms|wrists|legs|thighs|skin|body)\b",
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
        r"\b(?:freezing|unheated) (?:flat|house|home|room)\b[^.;]{0,30}\bno (?:electricity|heating|heat|gas|power)\b"
        r"|\bno (?:electricity|heating|heat|gas|power)\b[^.;]{0,30}\b(?:baby|newborn|infant|freezing)\b",
        rf"\b(?:will|going to|'ll) use (?:it|the {_WEAPON}) on\b|\b(?:has|have|keeps|got) (?:a )?{_WEAPON}\b[^.;]{{0,40}}"
        r"\b(?:use it on|kill|hurt|shoot|stab)\b",
        unless=_HYPOTHETICAL,
    ) + _cues(
        rf"\b{_NOT} (?:feel |feeling )?safe "
        r"(?:to go home|at home|there|with (?:him|her|them)|tonight|right now|now)\b",
        r"\b(?:frightened|scared|afraid|terrified|too scared) (?:to go|of going) (?:back )?(?:home|to (?:his|her|their|my) "
        r"(?:flat|house|home|room))\b(?![^.;]*\b(?:dark|night|bus|taxi|late|weather|ice|snow)\b)",
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
    ) + _cues(
        # Being told to keep something secret is a classic sign of abuse, unless it is a surprise.
        rf"\b(?:told|tells|telling|makes|made) {_OBJ} (?:to )?(?:keep (?:it|this|them|things) (?:a )?secret|not to tell"
        r"|(?:that )?(?:she|he|they|I) (?:must not|mustn't|can't|cannot) tell)\b"
        r"|\b(?:must not|mustn't) tell (?:anyone|anybody|(?:his|her|their|my) (?:mum|dad|parents|teacher))\b",
        unless=r"\b(?:surprise|party|present|gift|birthday|christmas|presents)\b",
    ),
)

# Order matters: the first ten follow Care Act statutory guidance para 14.17; the UI lists them in this order.
SIGNALS: tuple[SignalType, ...] = (
    _PHYSICAL, _DOMESTIC, _SEXUAL, _PSYCHOLOGICAL, _FINANCIAL, _SLAVERY, _DISCRIMINATORY, _ORGANISATIONAL,
    _NEGLECT, _SELF_NEGLECT, _CHILD, _SUICIDE, _DANGER, _UNSTATED,
)

SAFEGUARDING_TYPES: tuple[str, ...] = tuple(s.name for s in SIGNALS)
CHILD_HARM_TYPES = ("physical abuse", "sexual abuse", "psychological or emotional abuse",
                     "neglect or acts of omission", "domestic abuse", "modern slavery", "abuse (type not stated)")
