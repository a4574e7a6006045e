"""Inputs shared by the app's API and browser tests: one text with every verdict, one safeguarding situation."""

CHECK_TEXT = (
    "Community strengths can include knowledge, people, spaces, networks and services.\n"
    "Lyn Romeo is the Chief Social Worker for Adults (Care Act 2014 guidance).\n"
    "The Munro review was published in 2015.\n"
    "Strengths-based approaches focus on a person's deficits rather than their strengths.\n"
    "The guidance describes strengths-based practice as “a competitive process between the person "
    "supported by services and those supporting them”.\n"
)
SAFEGUARDING = "Mr Lee's carer has been locking him in his room during the day and he has bruises on his arms."
