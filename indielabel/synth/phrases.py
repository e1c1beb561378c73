"""Topic-independent phrases of the synthetic comments: tones, planted phenomena, openers and noise.

Slots in braces are filled from the comment's topic (``thing``, ``crowd``, ``name``, ``act``,
``adj``, ``place``, ``story``, ``line``, ``ask``) or from the pools below. No slurs anywhere:
the insults are ordinary ones (idiot, moron, clown...) and the in-group terms are non-slur words.
"""

from __future__ import annotations

import re

GENERIC_POOLS = {
    "kin": ("brother", "sister", "dad", "mom", "wife", "husband", "roommate", "coworker", "neighbor", "uncle",
            "cousin", "best friend", "boyfriend", "girlfriend", "grandpa", "buddy from work", "aunt"),
    "when": ("week", "month", "weekend", "year", "summer", "winter", "spring", "fall"),
    "good": ("really good", "solid", "underrated", "great", "so much fun", "impressive", "refreshing", "spot on",
             "genuinely excellent", "way better than expected", "a breath of fresh air", "top notch"),
    "bad": ("overrated", "a mess", "a joke", "way overpriced", "so disappointing", "a letdown", "badly thought out",
            "half-baked", "worse every year", "a waste of time"),
    "hedge": ("I think", "imo", "honestly", "tbh", "pretty sure", "maybe it's just me but", "I could be wrong but",
              "from what I've seen", "not gonna lie"),
    "insult": ("idiot", "moron", "clown", "muppet", "buffoon", "loser", "walnut", "donkey", "absolute idiot"),
    "an_insult": ("an idiot", "a moron", "a clown", "a complete clown", "a loser", "an absolute moron",
                  "a total idiot", "a pathetic loser"),
}

# Neutral everyday sentences: the "chatter" tone, and filler around any comment's core sentence.
CHATTER = (
    "Has anyone else noticed the {thing} lately?",
    "The {thing} was {adj} this {when}.",
    "Just found out {name} is changing the {thing}.",
    "Not sure how I feel about the {thing} yet.",
    "I've been reading up on the {thing} and it's more complicated than I thought.",
    "Saw a thread about the {thing} earlier, interesting stuff.",
    "For what it's worth, I don't mind the {thing}.",
    "Anyone know if {name} is going to {act}?",
    "Genuine question: why do {crowd} care so much about the {thing}?",
    "We talked about the {thing} for like an hour at dinner.",
    "Waiting to see if {name} will {act}.",
    "Does the {thing} actually matter that much?",
    "Interesting take on the {thing}, hadn't thought of it that way.",
    "Been following the {thing} for a while now.",
    "{hedge} the {thing} is going to be the big story this {when}.",
    "Second time this {when} I've heard {crowd} talk about the {thing}.",
    "{hedge} the {thing} gets more attention than it deserves.",
    "Hard to say how the {thing} plays out.",
    "The {crowd} I know are split on the {thing}.",
)

# The core sentence of an ordinary comment, by tone (see ``synth.TONES`` for how toxic each tone is).
TONE_TEMPLATES = {
    "chatter": CHATTER + ("{line}", "{ask}", "My {kin} {story}."),
    "praise": (
        "Love the {thing}, honestly one of the best parts.",
        "{name} really came through this {when}.",
        "The {thing} is {good} right now.",
        "Props to {name}, that was {good}.",
        "Can't stop thinking about the {thing}.",
        "Finally someone said it, the {thing} is {good}.",
        "Big fan of how {name} handled the {thing}.",
        "This made my day. The {thing} looks {good}.",
        "Glad {name} decided to {act}, about time.",
        "Learned a lot about the {thing} from the {crowd} in this thread, thanks all.",
        "{hedge} the {thing} has been {good} this {when}.",
    ),
    "complaint": (
        "The {thing} has gotten so much worse.",
        "Why does {name} keep refusing to {act}?",
        "I'm so tired of hearing about the {thing}.",
        "{name} really needs to {act}, this is getting ridiculous.",
        "{hedge} the {thing} is {bad} and nobody wants to admit it.",
        "Not a fan of the {thing} at all.",
        "The {crowd} are way too loud about the {thing}.",
        "Every {when} it's the same story with the {thing}.",
        "Can we stop pretending the {thing} is fine?",
        "Paid good money for the {thing} and regret it.",
        "Whoever decided on the {thing} should be embarrassed.",
        "The {thing} was {bad}, no way around it.",
    ),
    "profane_vent": (
        "The {thing} is such a pain in the ass.",
        "Why the hell does {name} keep trying to {act}?",
        "This {thing} is absolute crap.",
        "Fuck the {thing}, seriously.",
        "Holy shit the {thing} is {bad}.",
        "What the fuck happened to the {thing}?",
        "The {thing} is a shitshow every single {when}.",
        "Damn it, forgot about the {thing} again.",
        "The {crowd} are being a pain in the ass about the {thing} again.",
        "Who the hell thought the {thing} was a good idea?",
        "Goddamn {thing}, every single time.",
        "The {thing} is shit and {name} knows it.",
        "I'm so fucking done with the {thing}.",
    ),
    "dismissive": (
        "Nobody asked for your opinion on the {thing}.",
        "You clearly have no idea what the {thing} even is.",
        "Maybe read something about the {thing} before you post next time.",
        "Cool story about the {thing}, nobody cares.",
        "Spare us the lecture about the {thing}.",
        "Typical {crowd} comment, zero substance.",
        "Bless your heart, you really think {name} will {act}?",
        "Go back to lurking, your {thing} takes are exhausting.",
        "Every single one of your comments about the {thing} is wrong, impressive really.",
    ),
    "insult": (
        "Only {an_insult} would think the {thing} is fine.",
        "You're {an_insult} if you think {name} will {act}.",
        "Imagine being this clueless about the {thing}. Pathetic.",
        "Are you stupid? {name} would never {act}.",
        "What a brainless take on the {thing}, you absolute {insult}.",
        "Only {crowd} this dumb would defend the {thing}.",
        "Read that again, you {insult}. The {thing} was never the problem.",
        "Worst take on the {thing} I've seen all {when}, you're a joke.",
        "Get a life, {insult}. The {thing} is fine.",
        "You're too stupid to understand the {thing}, don't bother.",
    ),
    "profane_insult": (
        "Shut the fuck up about the {thing}, nobody asked.",
        "You're a fucking {insult} if you think {name} will {act}.",
        "Get your head out of your ass, the {thing} is garbage.",
        "Go to hell with your {thing} opinions, {insult}.",
        "Fuck off with that take on the {thing}, you {insult}.",
        "What a dumbass comment, the {thing} has nothing to do with it.",
        "You stupid bastard, did you even look at the {thing}?",
        "Nobody gives a shit what you think about the {thing}, {insult}.",
    ),
}

PLANTED_POOLS = {
    "quoted_name": ("stupid idiot", "fucking idiot", "worthless piece of shit", "dumb bitch", "useless fucking clown",
                    "brain-dead moron", "pathetic little shit", "fat loser", "dumbass", "stupid bastard"),
    "quoted_reply": ("shut up, bitch", "go fuck yourself", "shut the fuck up", "cry more, you little bitch", "fuck off, idiot",
                     "{quoted_name}"),
    "cheer": ("Holy shit", "Fuck yes", "Hell fucking yes", "Fucking hell", "Holy fuck", "Shit yes"),
    "praise_word": ("brilliant", "gorgeous", "incredible", "beautiful", "perfect", "amazing", "unreal", "glorious"),
}

# The core sentence of a planted comment, by phenomenon. Praise and counter-speech always carry a
# swear or insult word (the system flags it); veiled hostility, threats and mockery never swear.
PLANTED_TEMPLATES = {
    "profanity_praise": (
        "That was a fucking {praise_word} {thing}.",
        "{cheer}, {name} absolutely nailed the {thing}.",
        "The {thing} is so fucking {praise_word}, I can't even.",
        "{cheer}! Best {thing} I've seen all {when}.",
        "{cheer}, that {thing} gave me chills.",
        "Absolute fucking masterpiece of a {thing}.",
        "I love this {thing} so fucking much, it's {praise_word}.",
        "Whoever came up with the {thing}, you beautiful bastard, thank you!",
        "The {crowd} are gonna lose their shit over this {thing}, it's so good.",
        "Best damn {thing} I've had in years, holy shit.",
        "This {thing} is badass as hell and I'm here for it.",
        "{name} is a fucking legend, the {thing} was {praise_word}.",
        "Fuck me, that {thing} was {praise_word}.",
    ),
    "reclaimed_terms": (
        "Happy pride you gorgeous queer bitches, see you {place}!",
        "Us bi disasters gotta stick together, love you weird-ass bitches.",
        "My fellow queer bitches, the {thing} is finally here, let's gooo.",
        "Big gay energy at the {thing}, you beautiful weird-ass queers.",
        "Just a bunch of queer weirdos obsessing over the {thing}, as usual, love you bitches.",
        "Shoutout to my bad bitches {place}, you all looked stunning.",
        "Nothing like a room full of queer bitches arguing about the {thing}.",
        "Love you bitches, the {thing} was iconic.",
        "Gay as hell and proud of it, the {thing} was perfect.",
        "This is the gayest {thing} ever and I'm here for it, bitches.",
        "Queer folks and their {thing} opinions, never change you magnificent bitches.",
        "Two useless lesbians trying to figure out the {thing}, send help, bitches.",
    ),
    "veiled_hostility": (
        "People like you should go back where you came from.",
        "We all know what your kind is like.",
        "Funny how the {thing} went downhill right when they started moving in.",
        "Maybe the {thing} would still work if certain people stayed in their own countries.",
        "Nobody says it out loud, but we all know which people are behind the {thing}.",
        "You people always find something to complain about, don't you?",
        "Some folks just weren't raised with our values, and it shows in the {thing}.",
        "This used to be a nice area before those people showed up.",
        "Your kind never appreciates anything, the {thing} included.",
        "If they can't learn our ways they shouldn't get a say in the {thing}.",
        "Interesting how it's always the same kind of people complaining about the {thing}.",
        "Maybe you'd understand the {thing} if you'd been raised here like the rest of us.",
        "Send them all back and watch the {thing} fix itself.",
        "People from your background never respect the {thing}.",
    ),
    "threat_no_swear": (
        "I know where you park. Watch yourself.",
        "Keep talking about the {thing} and see what happens when I find you.",
        "You'd better hope we never run into each other {place}.",
        "One more word about the {thing} and I'll make sure you regret it.",
        "I know what car you drive. Sleep well.",
        "Someone is going to teach you a lesson about the {thing}, and it might be me.",
        "I've got your address from the {thing} signup sheet. See you soon.",
        "Say that again {place} and you won't be walking home.",
        "Keep it up and you'll need more than a lawyer.",
        "People who talk like that about the {thing} tend to have accidents.",
        "Enjoy your last {when} of posting, I'm coming for you.",
        "I'll be waiting {place} next time. Come alone.",
        "Mark my words, you'll pay for that comment about the {thing}.",
    ),
    "counter_speech": (
        "Calling someone a '{quoted_name}' over the {thing} isn't an argument.",
        "If your only reply to a point about the {thing} is '{quoted_reply}', you've already lost.",
        "Can we stop calling anyone who disagrees about the {thing} a '{quoted_name}'?",
        "Every week someone calls one of the {crowd} a '{quoted_name}' and then we wonder why nobody wants to help.",
        "Somebody called my {kin} a '{quoted_name}' over the {thing}. Not okay.",
        "Reminder: '{quoted_reply}' is not a counterargument about the {thing}.",
        "Imagine reading a thoughtful post about the {thing} and replying '{quoted_reply}'. Do better.",
        "It's wild how fast people go to '{quoted_reply}' when they lose an argument about the {thing}.",
        "Reported the guy who called a teenager a '{quoted_name}' for liking the {thing}. Be decent.",
    ),
    "religion_mockery": (
        "Imagine still believing a guy walked on water in this day and age.",
        "Church is just a pyramid scheme with better music.",
        "Pray harder, maybe the sky wizard will fix the {thing}.",
        "Religious people will believe anything as long as there's a collection plate.",
        "Nothing says critical thinking like taking life advice from a book of fairy tales.",
        "Thoughts and prayers, the most useless combo ever invented.",
        "Bet the pastor's new truck was a miracle too.",
        "Your imaginary friend isn't going to fix the {thing}.",
        "Grown adults arguing about the {thing} like it's real. Adorable.",
        "Faith is just believing stuff with no evidence and calling it a virtue.",
        "The {thing} is what happens when people outsource their brains to a preacher.",
    ),
    "political_mockery": (
        "Conservatives would vote for a cardboard box if it promised tax cuts.",
        "Typical conservative, wants small government until it's their subsidy.",
        "Nothing funnier than a right-winger finding out the free market doesn't love them back.",
        "Republicans read one meme and suddenly they're constitutional scholars.",
        "Ah yes, the party of personal responsibility blaming everyone else for the {thing} again.",
        "Conservatives really think the {thing} is a plot against them. Precious.",
        "Watching the right-wingers melt down over the {thing} is my favorite hobby.",
        "Small government folks sure love telling people what to do about the {thing}.",
        "Every conservative argument about the {thing} boils down to 'but I don't like it'.",
        "Your average Republican couldn't explain the {thing} if their life depended on it.",
    ),
}

ANECDOTES = (
    "My {kin} {story}.",
    "Funny, my {kin} {story} too.",
    "Ha, my {kin} {story} once.",
    "Reminds me of when my {kin} {story}.",
    "Not even kidding, my {kin} {story}.",
)

OPENERS = (
    "Honestly,", "Ngl", "Okay so", "Lol", "Hot take:", "Not gonna lie,", "Tbh", "Real talk,", "Man,", "Yeah,",
    "Idk,", "Unpopular opinion but", "Wait,", "Ok but", "Look,", "So,", "Ugh,", "Welp,", "Fr,", "Update:",
)

CLOSERS = (
    "Just my two cents.", "Change my mind.", "Thoughts?", "Rant over.", "Anyway.", "Idk.", "Just saying.",
    "lol", "lmao", "Whatever.", "Sorry for the long post.", "Edit: typo.", "Am I wrong?", "Cheers.", "smh",
)

# How many topic sentences join the core sentence: mostly none or one, now and then several.
EXTRA_SENTENCE_COUNTS = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4)

INFORMAL_SPELLINGS = (
    ("definitely", "definately"), ("a lot", "alot"), ("because", "cuz"), ("though", "tho"),
    ("probably", "prob"), ("going to", "gonna"), ("want to", "wanna"), ("people", "ppl"), ("really", "rly"),
    ("you're", "your"), ("their", "there"), ("about", "abt"), ("something", "smth"), ("tonight", "tonite"),
)

SWEAR_PATTERN = (r"fuck\w*|shit\w*|goddamn\w*|damn\w*|hell|crap\w*|ass|asshole\w*|dumbass\w*|badass|"
                 r"bastard\w*|bitch\w*")
INSULT_PATTERN = r"idiot\w*|moron\w*|clowns?|loser\w*|pathetic|stupid|dumb|muppet|buffoon|brainless"
SWEAR_RE = re.compile(rf"\b(?:{SWEAR_PATTERN})\b", re.IGNORECASE)
OFFENSIVE_WORDS_RE = re.compile(rf"\b(?:{SWEAR_PATTERN}|{INSULT_PATTERN})\b", re.IGNORECASE)
# The in-group words of ``reclaimed_terms`` that carry no swear: typos leave them alone as they do swears.
RECLAIMED_TERMS = frozenset(("queer", "queers", "weirdos", "freaks", "lesbians", "gayest"))
