"""Vocabulary of the synthetic society and everyday-life topics (same fields as ``synth_vocab_leisure``)."""

SOCIETY_TOPICS = {
    "politics": {
        "thing": "election|primary debate|tax bill|voter turnout|campaign ad|polling|senate race|"
                 "filibuster|budget deal|ballot measure|midterms|stimulus package|party platform|town hall",
        "crowd": "voters|senators|politicians|campaign staffers|pollsters|lobbyists|swing voters",
        "name": "the senator|the governor|the campaign|congress|the mayor's office|the party leadership",
        "act": "pass the budget|release the tax returns|debate on live TV|raise the minimum wage|"
               "cut spending|end the filibuster|hold an actual town hall",
        "adj": "partisan|gridlocked|contested|bipartisan|scandal-plagued|lopsided",
        "place": "at the town hall|at the polling station|at the rally|outside the campaign office",
        "story": "volunteered for a senate campaign|voted in every election since the seventies|"
                 "got into a shouting match at the town hall|ran for city council",
        "line": "Polling this far out means nothing.|Both parties signed off on that budget deal.|"
                "Voter turnout in the primary was embarrassing.|The debate was two hours of dodging questions.|"
                "That campaign ad was straight up misleading.",
        "ask": "Who are you voting for in the primary?|Did anyone watch the debate?|"
               "What's actually in the tax bill?|Is the senate race even close?",
    },
    "religion": {
        "thing": "sermon|Sunday service|Bible study|congregation|youth group|prayer meeting|church potluck|"
                 "scripture reading|mass|choir|mission trip|faith|tithe|Easter service",
        "crowd": "churchgoers|pastors|believers|atheists|priests|the congregation elders",
        "name": "the pastor|our church|the priest|the youth pastor|the deacon|the diocese",
        "act": "shorten the sermon|open the church to everyone|restart the choir|fix the church roof|"
               "welcome new members|run the food pantry again",
        "adj": "uplifting|traditional|packed|spiritual|welcoming|devout",
        "place": "at church|after Sunday service|at Bible study|in the parking lot after mass",
        "story": "sang in the church choir for thirty years|went on a mission trip to Guatemala|"
                 "found faith again after a rough year|started a Wednesday Bible study",
        "line": "The sermon this Sunday really stuck with me.|Our congregation keeps getting smaller.|"
                "Faith got me through the worst year of my life.|The church potluck is the best part of the month.",
        "ask": "Does anyone know a welcoming church in the area?|How do you keep faith when things fall apart?|"
               "Is the Easter service at ten or eleven?|Any good Bible study guides?",
    },
    "immigration": {
        "thing": "border policy|visa backlog|asylum process|green card wait|citizenship test|work permit|"
                 "immigration court|deportation case|refugee program|guest worker program|naturalization ceremony",
        "crowd": "immigrants|asylum seekers|border agents|immigration lawyers|refugees|new citizens|visa holders",
        "name": "the immigration office|the consulate|the border patrol|the embassy|my lawyer",
        "act": "clear the visa backlog|hire more immigration judges|fix the asylum process|"
               "speed up green cards|expand the refugee program",
        "adj": "backlogged|bureaucratic|humane|overwhelmed|arbitrary",
        "place": "at the consulate|at the border crossing|at the immigration office|at the citizenship ceremony",
        "story": "waited nine years for a green card|passed the citizenship test on the first try|"
                 "came here with one suitcase and forty dollars|worked as an immigration paralegal for years",
        "line": "The visa backlog is years long and nobody is fixing it.|"
                "My green card interview got rescheduled for the third time.|"
                "Immigration courts are massively understaffed.|The asylum process is a maze.",
        "ask": "How long did your work permit take?|Anyone know a good immigration lawyer?|"
               "What's on the citizenship test these days?|Is the consulate still doing interviews?",
    },
    "tech": {
        "thing": "phone update|laptop battery|operating system|smartwatch|new chip|software bug|cloud storage|"
                 "password manager|charging port|graphics card|router|browser extension|AI chatbot|app store",
        "crowd": "developers|Apple fans|Android users|tech reviewers|IT people|engineers",
        "name": "Apple|Google|the company|the support team|Microsoft|the startup",
        "act": "bring back the headphone jack|fix the battery drain|stop collecting our data|"
               "release the update|lower the price|open source the code",
        "adj": "laggy|sleek|buggy|overpriced|snappy|bloated",
        "place": "at the Apple store|on the support call|at the tech conference|on the help forum",
        "story": "switched back to a flip phone on purpose|built a home server out of an old laptop|"
                 "fixed the whole office wifi with a paperclip|started reviewing gadgets on YouTube",
        "line": "The latest update killed my battery life.|Nobody needs a thousand dollar phone.|"
                "Use a password manager, seriously.|The AI chatbot confidently made stuff up again.",
        "ask": "Is the new laptop worth upgrading to?|Anyone else's phone overheating after the update?|"
               "What router do you recommend?|Which password manager do you use?",
    },
    "crypto": {
        "thing": "bitcoin price|crypto wallet|altcoin|blockchain|exchange fee|NFT collection|token launch|"
                 "mining rig|stablecoin|rug pull|seed phrase|bull run|airdrop|gas fee",
        "crowd": "crypto bros|miners|bitcoin maxis|day traders|NFT collectors|investors",
        "name": "the exchange|the founder|the token|the dev team|bitcoin|the coin",
        "act": "go to the moon|hold through the dip|pull liquidity|list on a major exchange|"
               "lower the gas fees|rug pull everyone",
        "adj": "volatile|bullish|bearish|decentralized|shady|pumped",
        "place": "on the exchange|in the Discord|on crypto Twitter|at the crypto meetup",
        "story": "lost a seed phrase with two bitcoin on it|bought an NFT of a cartoon ape|"
                 "mined crypto in a dorm room|put their savings into a meme coin",
        "line": "Never share your seed phrase with anyone.|Gas fees cost more than the transaction.|"
                "Every altcoin is a rug pull waiting to happen.|Bitcoin dipped again and everyone is panicking.",
        "ask": "Is it too late to buy bitcoin?|Which wallet is the safest?|"
               "Anyone else get rugged on that token?|When's the next bull run?",
    },
    "relationships": {
        "thing": "first date|dating app|long distance relationship|breakup|anniversary|proposal|"
                 "texting etiquette|ex|wedding planning|couples therapy|situationship|red flag|love language",
        "crowd": "couples|exes|singles|boyfriends|girlfriends|matchmakers|married people",
        "name": "my boyfriend|my girlfriend|my partner|my ex|my husband|my wife",
        "act": "text back within a day|plan a real date|meet the parents|split the bill|"
               "communicate like an adult|move in together",
        "adj": "clingy|ghosted|head over heels|toxic|healthy|awkward",
        "place": "on the first date|at the wedding|on the dating app|at brunch",
        "story": "met their spouse on a dating app|got dumped over text on their birthday|"
                 "proposed at a baseball game|married their high school sweetheart",
        "line": "Communication fixes most relationship problems.|Dating apps are exhausting.|"
                "Never go back to an ex, trust me.|Long distance is hard but worth it.",
        "ask": "How long should you wait to text after a first date?|Is couples therapy worth it?|"
               "Who pays on the first date?|How do you know when to move in together?",
    },
    "parenting": {
        "thing": "bedtime routine|toddler tantrum|screen time limit|daycare waitlist|potty training|"
                 "school drop-off|teething|sleep schedule|diaper bag|playdate|baby formula|car seat",
        "crowd": "parents|toddlers|teenagers|grandparents|babysitters|new moms|dads",
        "name": "my toddler|my teenager|the pediatrician|our daycare|the babysitter|my son|my daughter",
        "act": "sleep through the night|eat a vegetable|put the phone down|stop biting at daycare|"
               "clean up their room|go to bed without a fight",
        "adj": "exhausted|cranky|clingy|teething|independent|overtired",
        "place": "at daycare pickup|at the playground|at the pediatrician|at the school gate",
        "story": "potty trained all three kids in one summer|drove around for an hour to get the baby to sleep|"
                 "raised five kids on one income|made the kids do chores for allowance",
        "line": "Potty training is a special kind of chaos.|The daycare waitlist is over a year long.|"
                "Screen time limits lasted about two days in our house.|My toddler runs on pure spite.",
        "ask": "How do you handle toddler tantrums in public?|What age did your kid sleep through the night?|"
               "How much screen time do you allow?|Any car seat recommendations?",
    },
    "work": {
        "thing": "performance review|open office|return to office policy|overtime|team meeting|promotion|"
                 "layoffs|remote work|salary negotiation|two weeks notice|commute|HR complaint|standup|PTO",
        "crowd": "coworkers|managers|HR people|remote workers|interns|recruiters|middle managers",
        "name": "my boss|HR|the CEO|my manager|the company|the new hire",
        "act": "approve my PTO|give us a raise|cancel the useless meetings|let us work remotely|"
               "hire more people|stop micromanaging",
        "adj": "understaffed|micromanaged|burnt out|remote|toxic|chill",
        "place": "at the office|in the team meeting|at the holiday party|in the break room",
        "story": "quit on the spot in the middle of a meeting|got promoted after asking for a raise|"
                 "worked at the same warehouse for twenty years|negotiated a four day week",
        "line": "This meeting could have been an email.|Return to office is just layoffs in disguise.|"
                "Always negotiate your salary.|The commute eats two hours of my day.",
        "ask": "How do you ask for a raise?|Should I put in my two weeks?|"
               "Anyone else forced back to the office?|Is it normal to work unpaid overtime?",
    },
    "school": {
        "thing": "homework load|final exam|school board meeting|student loans|class schedule|dorm room|"
                 "group project|teacher shortage|college application|GPA|tuition hike|lecture hall|syllabus",
        "crowd": "teachers|students|professors|college freshmen|school board members|TAs",
        "name": "the school board|my professor|the principal|the university|the district|my advisor",
        "act": "cancel the final|curve the exam|pay teachers more|cut the homework|"
               "extend the deadline|lower tuition",
        "adj": "overcrowded|underfunded|brutal|rigorous|boring",
        "place": "at the school board meeting|in the lecture hall|in the dorms|at parent teacher night",
        "story": "taught high school chemistry for thirty years|switched majors three times|"
                 "pulled an all-nighter for a final and slept through it|paid off their student loans at forty",
        "line": "Group projects are just one person doing all the work.|Teachers buy their own classroom supplies.|"
                "Tuition went up again this year.|The final was nothing like the practice exams.",
        "ask": "Is the class curved?|How many AP classes is too many?|"
               "Anyone know when registration opens?|Should I retake the class for my GPA?",
    },
    "weather": {
        "thing": "forecast|heat wave|snowstorm|humidity|thunderstorm|pollen count|rainy season|"
                 "hail|windchill|fog|tornado warning|first frost|weather app|drought",
        "crowd": "meteorologists|weather people|snow plow drivers|storm chasers",
        "name": "the forecast|the weather app|the weather channel|the local meteorologist|the news",
        "act": "get the forecast right|stop hyping every storm|call a snow day|"
               "cancel the outdoor event|warn us earlier",
        "adj": "muggy|freezing|humid|gloomy|sweltering|chilly",
        "place": "outside|on my commute|in the backyard|at the bus stop",
        "story": "got snowed in for a week in the blizzard|saw a funnel cloud from the porch|"
                 "cancelled a wedding over a weather app forecast|chased storms across the plains",
        "line": "The forecast said sunny and it rained all day.|This humidity is unbearable.|"
                "First snow of the season and everyone forgot how to drive.|The pollen count is off the charts.",
        "ask": "Is the storm supposed to hit tonight?|Anyone else lose power?|"
               "How accurate is the ten day forecast?|Snow day tomorrow or not?",
    },
    "local_news": {
        "thing": "city council vote|road construction|new stadium proposal|property tax|school closure|"
                 "downtown parking|bus route|water main break|zoning change|police budget|farmers market|"
                 "traffic light|pothole",
        "crowd": "city council members|residents|commuters|shop owners|neighbors|developers",
        "name": "the city council|the mayor|the county|the local paper|the transit authority|the developer",
        "act": "fix the potholes|add a bike lane|stop the new development|extend the bus route|"
               "lower property taxes|build more parking",
        "adj": "gridlocked|neglected|overdue|controversial|packed",
        "place": "at the council meeting|downtown|at the farmers market|on Main Street|at the bus stop",
        "story": "lived on the same street for fifty years|organized the neighborhood cleanup|"
                 "got a parking ticket outside city hall|ran the diner on Main Street",
        "line": "Road construction on Main Street has been going on for a year.|"
                "That pothole on Fifth has eaten three tires.|The council voted it through at midnight.|"
                "The farmers market is the best thing about this town.",
        "ask": "Anyone know why the bus route changed?|When is the next council meeting?|"
               "What's going into the old mall?|Is the water main fixed yet?",
    },
    "science": {
        "thing": "telescope image|space mission|Mars rover|black hole|physics experiment|peer review|"
                 "research paper|particle accelerator|climate model|fossil discovery|vaccine trial|lab funding|"
                 "rocket launch|exoplanet",
        "crowd": "scientists|researchers|astronomers|physicists|grad students|science journalists",
        "name": "NASA|the research team|the lab|the journal|the space agency|the observatory",
        "act": "publish the data|replicate the study|launch the new telescope|fund basic research|"
               "land on Mars|explain it without jargon",
        "adj": "groundbreaking|peer reviewed|preliminary|fascinating|overhyped",
        "place": "at the observatory|in the lab|at the conference|at the science museum",
        "story": "built a telescope in the backyard|spent six years on a physics PhD|"
                 "worked on a Mars rover team|discovered a fossil on a school trip",
        "line": "The new telescope images are unreal.|One study is not a scientific consensus.|"
                "Peer review is slow for a reason.|The rocket launch got scrubbed again.",
        "ask": "Has anyone read the actual paper?|When is the next launch window?|"
               "How do they know how far away the exoplanet is?|Was the study replicated?",
    },
    "health": {
        "thing": "doctor's appointment|flu shot|prescription|health insurance|blood test|physical therapy|"
                 "sleep apnea|allergy meds|therapy session|ER wait|knee surgery|dental cleaning|vitamin D",
        "crowd": "doctors|nurses|pharmacists|patients|therapists|insurance companies",
        "name": "my doctor|the clinic|the pharmacy|my insurance|the hospital|my therapist",
        "act": "cover the prescription|call back with the results|see me sooner|lower the copay|"
               "take my symptoms seriously|refill the prescription",
        "adj": "overpriced|understaffed|painful|chronic|exhausted",
        "place": "at the doctor's office|in the ER|at the pharmacy|in the waiting room",
        "story": "waited six hours in the ER with a broken wrist|finally got diagnosed after ten years|"
                 "worked night shifts as a nurse for a decade|did physical therapy for a year after knee surgery",
        "line": "Get your flu shot, it takes five minutes.|The ER wait was six hours.|"
                "Insurance denied the prescription again.|Therapy genuinely changed my life.",
        "ask": "Is it normal to wait three months for an appointment?|Does insurance cover physical therapy?|"
               "Anyone else allergic to everything this spring?|How do you find a good therapist?",
    },
    "housing": {
        "thing": "rent increase|landlord|lease renewal|security deposit|mortgage rate|down payment|"
                 "apartment hunt|HOA fee|studio apartment|housing market|open house|roommate situation|eviction notice",
        "crowd": "landlords|renters|first time buyers|real estate agents|property managers|tenants",
        "name": "my landlord|the property manager|the realtor|the bank|the HOA|the leasing office",
        "act": "fix the heating|return the deposit|lower the rent|approve the mortgage|"
               "respond to maintenance requests|build more housing",
        "adj": "overpriced|cramped|affordable|competitive|rent-controlled",
        "place": "at the open house|in the leasing office|in the lobby|on our street",
        "story": "lost a security deposit over a nail hole|bought a house at the worst possible time|"
                 "lived with five roommates to afford rent|fought an eviction and won",
        "line": "Rent went up four hundred dollars at renewal.|Landlords keep deposits for no reason.|"
                "Mortgage rates make buying impossible.|Every open house had forty people in it.",
        "ask": "Is it better to rent or buy right now?|How do I get my deposit back?|"
               "What's a fair rent for a studio?|Anyone dealt with a bad HOA?",
    },
    "personal_finance": {
        "thing": "budget|emergency fund|credit card debt|401k match|index fund|credit score|savings account|"
                 "paycheck|tax refund|student loan payment|retirement plan|interest rate|side hustle",
        "crowd": "savers|financial advisors|investors|bankers|accountants|budgeters",
        "name": "my bank|my accountant|the credit union|my financial advisor|the IRS",
        "act": "pay off the credit card|max out the 401k|build an emergency fund|stop paying fees|"
               "refinance the loan|invest in index funds",
        "adj": "frugal|broke|debt-free|compounding|high-yield",
        "place": "at the bank|at tax time|on payday|at the credit union",
        "story": "paid off thirty grand of debt in two years|retired at fifty five|"
                 "kept every receipt in a shoebox for ten years|lived on rice and beans to save a down payment",
        "line": "Always take the full 401k match.|An emergency fund saved me when I got laid off.|"
                "Credit card interest is a trap.|Index funds beat most advisors.",
        "ask": "How big should an emergency fund be?|Roth or traditional?|"
               "Is it smart to pay off debt before investing?|Which budgeting app do you use?",
    },
    "climate": {
        "thing": "carbon emissions|solar panels|electric grid|fossil fuel subsidy|wildfire season|"
                 "recycling program|heat pump|sea level rise|carbon tax|wind farm|net zero pledge|plastic ban",
        "crowd": "climate activists|oil companies|environmentalists|energy companies|climate scientists",
        "name": "the utility company|the energy company|the climate summit|the EPA|the oil industry",
        "act": "cut emissions|ban single use plastic|invest in renewables|end fossil fuel subsidies|"
               "build more wind farms|hit net zero",
        "adj": "sustainable|renewable|carbon neutral|unprecedented|wasteful",
        "place": "at the climate march|at the recycling center|on the beach|at the summit",
        "story": "put solar panels on the roof and never looked back|sold the car and started biking everywhere|"
                 "organized a beach cleanup|switched to a heat pump last winter",
        "line": "Solar panels paid for themselves in six years.|Wildfire season gets longer every year.|"
                "Most recycling ends up in a landfill anyway.|Heat pumps are underrated.",
        "ask": "Are heat pumps worth it in a cold climate?|Does recycling even work?|"
               "How much do solar panels cost now?|What's actually in the net zero plan?",
    },
    "lgbtq": {
        "thing": "pride parade|drag brunch|coming out story|queer book club|pride month|drag show|"
                 "trans healthcare|gay bar|rainbow flag|support group|pride merch|marriage equality",
        "crowd": "drag queens|allies|gay couples|trans folks|bi people|pride organizers",
        "name": "the pride committee|the drag queen|our support group|the gay bar|the community center",
        "act": "march in the parade|host a drag story hour|fund the community center|"
               "keep pride community focused|stop selling rainbow merch for profit",
        "adj": "fabulous|iconic|inclusive|sparkly|corporate",
        "place": "at the pride parade|at drag brunch|at the gay bar|at the community center",
        "story": "came out at thanksgiving dinner|marched in a first pride parade at sixty|"
                 "started the queer book club downtown|performed in the Friday drag show",
        "line": "Pride started as a protest and we shouldn't forget it.|Drag brunch is the best brunch.|"
                "Corporate rainbow logos disappear on July first.|The community center needs volunteers.",
        "ask": "Who's marching in the parade this year?|Any good gay bars downtown?|"
               "How did you come out to your parents?|Is the drag show on Friday or Saturday?",
    },
    "social_media": {
        "thing": "algorithm|influencer drama|viral video|comment section|follower count|content creator deal|"
                 "hashtag|livestream|group chat|reels|verification badge|account ban|timeline",
        "crowd": "influencers|content creators|moderators|trolls|followers|TikTokers",
        "name": "the platform|the influencer|the moderators|the app|the algorithm",
        "act": "ban the bots|fix the algorithm|bring back the chronological feed|moderate the comments|"
               "stop shadowbanning people",
        "adj": "viral|toxic|addictive|shadowbanned|chronically online",
        "place": "in the comment section|on the livestream|in the group chat|on the timeline",
        "story": "went viral for a video of their cat|deleted every app for a month|"
                 "got banned for posting a recipe|got more followers than our whole town",
        "line": "The algorithm only shows me ads now.|Never read the comment section.|"
                "Influencer drama is the new reality TV.|Deleted the app and my screen time dropped by half.",
        "ask": "Anyone else's feed full of bots?|How do you grow followers without paying?|"
               "Why did my account get shadowbanned?|Is the chronological feed coming back?",
    },
}
