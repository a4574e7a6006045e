from assistant.evaluation.metrics import details_used_loose


def test_a_prompt_word_that_grows_a_detail_stem_counts_as_using_the_detail():
    prompts = ["You mentioned swimming — what does being in the water give you?", "What do you cook together?"]
    assert details_used_loose(prompts, ["his morning swim", "They cook together", "his vinyl collection"]) == [
        "his morning swim", "They cook together"]


def test_common_words_and_unrelated_words_do_not_count():
    assert details_used_loose(["What does a good day look like for you?"], ["loves her garden", "the bingo"]) == []
