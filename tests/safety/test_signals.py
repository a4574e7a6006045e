"""The safeguarding signal table on its own: each type of abuse is caught by a listed phrase, ordinary needs are not.

The table is the precise half of the detector (its hits give the red reminder); the meaning half is tested in
test_safeguarding.py."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.safety.language import is_open_question
from assistant.safety.safeguarding import SAFEGUARDING_TYPES, safe_followups
from assistant.safety.safeguarding import detect as _detect
from assistant.settings import load_settings
from assistant.types import SETTINGS

# (situation as a practitioner might write it, label that must appear, words that must be quoted)
POSITIVES = [
    ("Mrs Ahmed has bruises on her upper arms and says her son grabbed her when she asked for her pension back.",
     "physical abuse", "bruises on her upper arms"),
    ("Her husband checks her phone every evening and won't let her see her friends.",
     "domestic abuse", "checks her phone"),
    ("Her family are planning a forced marriage when she visits relatives abroad.",
     "domestic abuse", "forced marriage"),
    ("He disclosed that a care worker touched him inappropriately during personal care.",
     "sexual abuse", "touched him inappropriately"),
    ("Her daughter calls her stupid and useless and threatens to put her in a home.",
     "psychological or emotional abuse", "calls her stupid"),
    ("Since his nephew moved in, money has gone missing and he was pressured to sign a loan agreement.",
     "financial or material abuse", "money has gone missing"),
    ("His 'friends' take his money every payday.", "financial or material abuse", "take his money"),
    ("She lost £4,000 to a romance scam last month.", "financial or material abuse", "romance scam"),
    ("He works at the car wash for no pay and his boss has taken his passport.",
     "modern slavery", "works at the car wash for no pay"),
    ("Neighbours shout racist abuse at him when he goes to the shop.", "discriminatory abuse", "racist abuse"),
    ("He says he was discriminated against at the housing office because he is disabled.",
     "discriminatory abuse", "discriminated against"),
    ("At the care home residents are put to bed at 6pm and call bells are often ignored.",
     "organisational abuse", "put to bed at 6pm"),
    ("Her son, who is her carer, has not given her her medication for three days and she was left in soiled bedding.",
     "neglect or acts of omission", "has not given her her medication for three days"),
    ("Her carers regularly don't turn up, leaving her without food.", "neglect or acts of omission", "don't turn up"),
    ("His flat is full of hoarded newspapers and he is living in squalor, refusing all help.",
     "self-neglect", "hoarded"),
    ("The man is not eating and the kitchen has rotting food everywhere.", "self-neglect", "not eating"),
    ("Ellie (8) told her teacher that her stepdad hurts her and she is scared to go home.",
     "harm to a child", "stepdad hurts her"),
    ("Kai is 9 and is frightened to go home after school.", "harm to a child", "frightened to go home"),
    ("He says he wants to end his life and has been stockpiling tablets.",
     "suicidal thoughts or self-harm", "end his life"),
    ("She has been self-harming since her exams.", "suicidal thoughts or self-harm", "self-harming"),
    ("Her ex turned up with a knife and threatened to kill her.", "immediate danger", "threatened to kill"),
    ("She says she doesn't feel safe at home with him.", "immediate danger", "doesn't feel safe at home"),
    ("He has been without heating for days in freezing weather.", "immediate danger", "without heating for days"),
    ("I think she is being abused by her grandson.", "abuse (type not stated)", "being abused"),
    # Indirect phrasing, the way practitioners actually write it.
    ("Since he moved in, her son has taken over her bank card.", "financial or material abuse",
     "son has taken over her bank card"),
    ("His nephew has been taking his bank card and his savings have gone.", "financial or material abuse",
     "nephew has been taking his bank card"),
    ("Her account has been emptied since her grandson moved in.", "financial or material abuse",
     "account has been emptied"),
    ("Her grandson keeps asking her for money and she is frightened to say no.", "financial or material abuse",
     "keeps asking her for money"),
    ("She has bruises on her wrists she won't explain.", "physical abuse", "won't explain"),
    ("Dorothy has unexplained fingertip bruises on both upper arms.", "physical abuse", "fingertip bruises"),
    ("He flinches whenever his son's partner comes into the room.", "physical abuse", "flinches whenever"),
    ("Residents are given sedatives to keep them quiet in the evenings.", "physical abuse", "to keep them quiet"),
    ("Her husband does not let her out of the house on her own.", "domestic abuse", "let her out of the house"),
    ("Her partner controls all the money and checks where she goes.", "domestic abuse", "controls all the money"),
    ("A man at her supported living service touches her in ways she does not like.", "sexual abuse",
     "in ways she does not like"),
    ("He told her to keep it secret.", "abuse (type not stated)", "keep it secret"),
    ("Her daughter keeps telling her she is a burden.", "psychological or emotional abuse", "she is a burden"),
    ("He is frightened of his grandson.", "psychological or emotional abuse", "frightened of his grandson"),
    ("He has been working on a farm for no pay and the gangmaster holds his passport.", "modern slavery",
     "for no pay"),
    ("The young men seem to sleep on site at the car wash.", "modern slavery", "sleep on site"),
    ("She says she owes a debt to the people who brought her here and is not allowed to leave.", "modern slavery",
     "owes a debt to the people"),
    ("Staff mock his accent and refuse to book an interpreter.", "discriminatory abuse", "mock his accent"),
    ("At the nursing home complaints are routinely ignored and visits are cut short.", "organisational abuse",
     "complaints are routinely ignored"),
    ("Her leg ulcers have been left untreated by the agency.", "neglect or acts of omission", "left untreated"),
    ("He has not been washed for weeks.", "neglect or acts of omission", "not been washed for weeks"),
    ("His house is filled with rubbish and he has no running water.", "self-neglect", "filled with rubbish"),
    ("He lives alone, refuses all help and his ulcers are untreated.", "self-neglect", "refuses all help"),
    ("She has stopped looking after herself since the winter.", "self-neglect", "stopped looking after herself"),
    ("Ollie, 10, says his dad's girlfriend makes him sleep in the shed.", "harm to a child",
     "makes him sleep in the shed"),
    ("Sophie, 14, has an older boyfriend who picks her up from school.", "harm to a child", "older boyfriend"),
    ("She says she'd be better off dead.", "suicidal thoughts or self-harm", "better off dead"),
    ("He cannot see the point in going on.", "suicidal thoughts or self-harm", "see the point in going on"),
    ("She has been stockpiling her tablets.", "suicidal thoughts or self-harm", "stockpiling her tablets"),
    ("Josh has been cutting his arms again.", "suicidal thoughts or self-harm", "cutting his arms"),
]

NEAR_MISSES = [
    "Mrs Patel had a fall last month and has a bruise on her hip from falling against the table.",
    "She hit her head when she tripped on the rug.",
    "He feels lonely since his wife died and misses their walks.",
    "His wife, who is his carer, is exhausted and says she is at breaking point.",
    "Jack has been missing school on Mondays.",
    "She forgot her medication once last week.",
    "He lives alone and likes his independence.",
    "She is grieving for her husband and cries a lot.",
    "They are worried about money and the cost of heating this winter.",
    "The house is a bit messy and cluttered.",
    "She feels safe at home and wants to stay there.",
    "We talked about her existing safety plan and what keeps her safe when she goes out.",
    "There are no safeguarding concerns.",
    "No concerns about abuse or neglect were raised at the review.",
    "There is no sign of neglect.",
    "She denies any abuse.",
    "No history of self-harm or suicidal thoughts.",
    "The team training covered the ten types of abuse, including financial abuse, modern slavery and self-neglect.",
    "Her carer helps with shopping and managing her money.",
    "Her daughter uses her bank card to do her shopping.",
    "He pushes her in her wheelchair to the park every Sunday.",
    "She doesn't feel safe on the stairs since her falls.",
    "He worries about scams on the phone.",
    "Her brother died by suicide ten years ago and she volunteers for a bereavement charity.",
    "He keeps his passport in a drawer.",
    "She takes her pension out on Thursdays.",
    "She needs help with washing, dressing and grooming.",
    "The children are hungry when they get home from school so she makes toast.",
    "He is not drinking any more and goes to a recovery group.",
    "The day centre is in danger of closing.",
    "If she is ever in danger, she knows to call 999.",
    "Grace is 78 and moved into sheltered housing after her husband went into a care home. "
    "She has knitted for the church bazaar for decades and talks to her grandson every Sunday.",
    "Ahmed looks after his adult daughter who has epilepsy. He works night shifts as a taxi driver and his brother "
    "helps at weekends.",
    "Our village has a parish hall, a walking group and neighbours who help each other with shopping and money advice.",
    "We discussed the Care Act 2014 and the duty to make section 42 enquiries.",
    "She has been diagnosed with dementia and sometimes gets lost on the way home from the shops.",
    "Her son is her carer and manages her benefits with her agreement.",
    "Leo is 16 and is leaving care next year. He is a talented drummer and his former foster carer keeps in touch.",
    # Near-misses for the indirect cues above.
    "Her daughter uses her bank card to do her shopping at her request.",
    "Her son is her appointee and controls her money with her agreement.",
    "His savings have gone down since he retired.",
    "His savings have gone on a new roof.",
    "She bruises easily because of her blood thinners and has a bruise on her arm from the door frame.",
    "He flinches at loud noises since his army days.",
    "Her parents won't let her out after 10pm on school nights.",
    "He told her not to tell anyone about the surprise party.",
    "She is frightened of falling again.",
    "She is afraid of her dog.",
    "They worked for no pay as volunteers at the summer fete.",
    "His passport is held at the post office while it is renewed.",
    "He works long shifts at a warehouse for little pay.",
    "He is not allowed to leave work early on Fridays.",
    "Complaints about the potholes are ignored by the council.",
    "His garage is full of junk from his model railway.",
    "He declines any help with cleaning because he likes doing it himself.",
    "He lives alone and the house is messy.",
    "She cannot see the point of the new bus timetable.",
    "Zara, 15, has missed some Fridays at school to help with her baby brother.",
    "Sue is exhausted and says she needs a break from caring.",
]


def detect(text):
    """The signal table alone (the matcher by meaning off)."""
    return _detect(text, load_settings(safeguarding_meaning=False))


def _labels(reasons: list[str]) -> list[str]:
    return [r.split(":", 1)[0] for r in reasons]


@pytest.mark.parametrize("text,kind,words", POSITIVES, ids=[p[1] + ":" + p[2] for p in POSITIVES])
def test_each_type_is_flagged_with_its_words(text, kind, words):
    result = detect(text)
    assert result.flag
    label = _label_for(kind)
    mine = [r for r in result.reasons if r.startswith(label + ":")]
    assert mine, result.reasons
    assert words.lower() in mine[0].lower()
    assert result.guidance


def _label_for(kind: str) -> str:
    from assistant.safety.safeguarding import SIGNALS

    return next(s.label for s in SIGNALS if s.name == kind)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_ordinary_needs_do_not_flag(text):
    result = detect(text)
    assert not result.flag, result.reasons
    assert result.reasons == [] and result.guidance == ""


def test_every_type_is_covered_by_a_positive_example():
    covered = {kind for _text, kind, _words in POSITIVES}
    assert covered == set(SAFEGUARDING_TYPES)


def test_types_start_with_the_ten_care_act_types_in_order():
    assert SAFEGUARDING_TYPES[:10] == (
        "physical abuse", "domestic abuse", "sexual abuse", "psychological or emotional abuse",
        "financial or material abuse", "modern slavery", "discriminatory abuse", "organisational abuse",
        "neglect or acts of omission", "self-neglect",
    )
    assert {"harm to a child", "suicidal thoughts or self-harm", "immediate danger"} <= set(SAFEGUARDING_TYPES)


def test_every_sentence_with_a_cue_is_listed_with_its_words():
    text = ("He has bruises on his arms. His son slapped him and pushed him over. "
            "The carer grabbed him by the wrist.")
    result = detect(text)
    physical = [c for c in result.cues if c.type == "physical abuse"]
    assert [c.words for c in physical] == ["bruises on his arms", "slapped him", "grabbed him"]
    assert all(text[c.start:c.end].startswith(("He has", "His son", "The carer")) for c in physical)
    assert result.level == "red" and all(c.source == "signal table" for c in result.cues)


def test_several_types_in_one_situation_are_all_reported():
    text = ("Mr Lee's carer has been locking him in his room during the day and he has bruises on his arms. "
            "His pension has gone missing.")
    labels = _labels(detect(text).reasons)
    assert "Possible physical abuse" in labels
    assert "Possible immediate danger" in labels
    assert "Possible financial or material abuse" in labels


def test_negation_is_limited_to_its_own_clause():
    assert not detect("There is no sign of neglect.").flag
    result = detect("There is no sign of neglect, but he has bruises on his arms.")
    assert _labels(result.reasons) == ["Possible physical abuse"]
    assert detect("He has no money because his son takes his pension.").flag
    assert not detect("There is no evidence that her son takes her pension.").flag


def test_quoted_words_of_the_person_still_count():
    result = detect('She said "he hits me when he drinks".')
    assert "'hits me'" in result.reasons[0]


def test_training_text_is_not_a_concern_but_a_description_in_it_is():
    assert not detect("Safeguarding training on domestic abuse and modern slavery is booked for May.").flag
    assert detect("After the training she told me her partner hit her.").flag


def test_guidance_names_adult_duties_and_making_safeguarding_personal():
    g = detect("Her son has taken her bank card and her savings have gone missing.").guidance
    assert "section 42" in g and "Care Act 2014" in g
    assert "999" in g
    assert "Making Safeguarding Personal" in g
    assert "manager" in g and "safeguarding lead" in g
    assert "Children Act" not in g


def test_guidance_names_child_protection_when_a_child_is_involved():
    result = detect("Ellie (8) told her teacher that her stepdad hurts her.")
    assert "section 47" in result.guidance and "Children Act 1989" in result.guidance
    assert "safeguarding children partnership" in result.guidance


def test_abuse_in_a_sentence_about_a_child_is_also_a_child_concern():
    labels = _labels(detect("The baby has bruises on her face and her mother could not explain them.").reasons)
    assert "Possible physical abuse" in labels and "Possible harm to a child" in labels
    adult = _labels(detect("Her son takes her pension. She meets old school friends on Fridays.").reasons)
    assert "Possible harm to a child" not in adult


def test_suicide_guidance_added_only_for_suicide_signals():
    assert "suicide" in detect("Sam is 14 and says he wants to kill himself.").guidance
    assert "suicide" not in detect("His carer hits him.").guidance


def test_empty_text_is_not_flagged_and_non_text_is_rejected():
    assert detect("").flag is False
    with pytest.raises(InputError):
        detect(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("setting", SETTINGS)
def test_safe_followups_are_open_and_person_led(setting):
    questions = safe_followups(setting)
    assert 4 <= len(questions) <= 6
    assert len(set(questions)) == len(questions)
    for q in questions:
        assert q.endswith("?")
        assert is_open_question(q), q
        assert not q.lower().startswith(("why", "did ", "who did", "what did he", "what did she"))
    joined = " ".join(questions).lower()
    assert "happen" in joined and "trust" in joined and "safe" in joined


def test_safe_followups_reject_an_unknown_setting():
    with pytest.raises(InputError, match="children-families"):
        safe_followups("prison")
    assert safe_followups("") == safe_followups("adults")


# Written after the signal table was tuned on eval/dev, as practitioners write case notes: a probe of
# whether the cues generalise beyond the phrasing they were built from.
PROBE_FLAG = [
    "Her son has been using her bank card without asking and she is now in arrears.",
    "His daughter has moved her boyfriend into his bungalow and they use his PIP to buy alcohol.",
    "He made her sign a loan in her name and now she has debts she didn't know about.",
    "Since her lodger arrived, items of jewellery have disappeared from her bedroom.",
    "A builder charged him £9,000 for a roof repair that was never done and keeps coming back for more.",
    "Service user's granddaughter has been withdrawing cash from his account daily.",
    'He is paying his neighbour £50 a week "for protection".',
    "She has been befriended online by a man asking her to send money for a plane ticket.",
    "Her daughter takes her to the bank and makes her withdraw money for her.",
    "Her partner put his hands round her neck during an argument.",
    "The carer was seen pinching her arm when she would not get out of bed.",
    "She says her son pushes her around when he is drunk.",
    'Mrs B disclosed that her husband "gets rough" with her when he has had a drink.',
    'She said "he hurts me if I don\'t do what he says".',
    "Staff restrain him face down when he is distressed.",
    "Resident was found with an unexplained skin tear and the night staff did not record it.",
    "The home manager has banned residents from going into the garden to save staff time.",
    "She is kept in her nightclothes all day because it is easier for the staff.",
    "Staff at the home restrain residents in their chairs with lap belts all day.",
    "Her son will not let the care agency in, and she has been in the same clothes for a week.",
    "The agency have missed six calls this week and he was found on the floor.",
    "He has been left without his insulin for two days.",
    "Carers noted she has lost a lot of weight and there is never any food in the house.",
    "She is being made to work in the house all day for the family and is not paid.",
    "The man is living in his car and is being forced to sell drugs to pay off a debt.",
    "A man who works at the takeaway sleeps in the storeroom and is paid £20 a week.",
    "A woman at the mosque says her husband's family keep her locked in and treat her like a servant.",
    "People in the street call him a paedo because he has a learning disability.",
    "The baby is often left in her cot all day and has nappy sores.",
    "Jade, 15, is staying out all night and has been found with large amounts of cash and drugs.",
    "Our youth group has a 14-year-old who says she is sleeping with a 25-year-old man.",
    "He says nobody would miss him if he was gone.",
    "She told the nurse she wants to go to sleep and not wake up.",
    "He says the voices tell him to hurt himself.",
    "She has written letters to her children saying goodbye.",
    "He has tied a ligature in his room.",
    "The man says he has a gun at home and will use it on his ex-wife.",
    "They are sleeping in a freezing flat with no electricity and the baby is 3 weeks old.",
    "He is scared to go back to his flat because of the men who have moved in.",
]

PROBE_NEAR = [
    "She uses her money to buy a new coat every winter.",
    "His granddaughter withdraws cash for him every Friday at his request and brings receipts.",
    "His granddaughter takes cash from his account for his shopping at his request.",
    "She sends money to her sister in Ghana each month.",
    "She met a man online and they go to the cinema together.",
    "Her son holds her purse while she tries on shoes.",
    "He paid for his shopping and the delivery never came, so he got a refund.",
    "He has a bruise on his shin from walking into the coffee table.",
    "He gets rough-and-tumble with his grandchildren at the park.",
    "She said he hurts when she moves him because of his arthritis.",
    "He pushes her around the park in her wheelchair.",
    "She pulls her hair when she is anxious.",
    "The care home has a fixed lunch time but residents can eat when they like.",
    "The agency missed two visits last month because of the snow.",
    "There is no food in the house today because the shopping comes tomorrow.",
    "He is keen to sleep on site at the festival where he volunteers.",
    "He worked for no pay during his apprenticeship years ago.",
    "She earns pocket money and is paid £10 a week for her paper round.",
    "He works at the takeaway and lives above it with his family.",
    "He is frightened of his grandson's dog.",
    "The teenager stays out late on Fridays with friends.",
    "The 14-year-old is sleeping at her friend's house on Saturday.",
    "He said goodbye to his friends when he moved to Leeds.",
    "The ward has been checked for ligature points.",
    "He has a gun licence for clay pigeon shooting.",
    "The flat is cold in winter and they are on a waiting list for new windows.",
    "He is scared to go home in the dark after the bus stops running.",
    "The family don't let the dog in the house.",
]


@pytest.mark.parametrize("text", PROBE_FLAG)
def test_indirect_case_note_phrasing_flags(text):
    result = detect(text)
    assert result.flag and result.reasons and "section 42" in result.guidance


@pytest.mark.parametrize("text", PROBE_NEAR)
def test_innocent_readings_of_the_same_words_do_not_flag(text):
    assert not detect(text).flag, detect(text).reasons
