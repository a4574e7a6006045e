from assistant.evaluation.metrics import details_used_loose


def test_a_prompt_word_that_grows_a_detail_stem_counts_as_using_the_detail():
    prompts = ["You mentioned swimming — what does being in the water give you?", "What do you cook together?"]
    assert details_used_loose(prompts, ["his morning swim", "They cook together", "his vinyl collection"]) == [
        "his morning swim", "They cook together"]


def test_common_words_and_unrelated_words_do_not_count():
    assert details_used_loose(["What does a good day look like for you?"], ["loves her garden", "the bingo"]) == []


def test_short_words_accents_and_acronyms_count_only_whole():
    prompts = ["What does your art give you?", "What happens at the café that matters to you?",
               "What would help you see more of your son?", "What does the WI mean to you?"]
    assert details_used_loose(prompts, ["her art", "her café job", "Her son Paul", "the WI"]) == [
        "her art", "her café job", "Her son Paul", "the WI"]
    assert details_used_loose(["What do you enjoy about your work?"], ["her art", "the WI", "his son"]) == []


def test_a_stem_ending_in_e_matches_its_ing_form():
    assert details_used_loose(["You mentioned dancing — what does it give you?"], ["the tea dance"]) == ["the tea dance"]
