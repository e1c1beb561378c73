"""Vocabulary of the synthetic leisure topics: sports, games, screen, books, food, hobbies.

Per topic, ``|``-separated entries: ``thing`` (singular, used as "the {thing}"), ``crowd`` (plural
people), ``name`` (a singular subject), ``act`` (a base-form verb phrase), ``adj``, ``place`` (a
prepositional phrase), ``story`` (a past-tense predicate after "my cousin"), ``line`` (a full
sentence) and ``ask`` (a question). Each topic has words of its own so a topic model can find it.
"""

LEISURE_TOPICS = {
    "soccer": {
        "thing": "transfer window|back four|midfield|offside rule|penalty call|VAR review|away kit|set piece|"
                 "league table|relegation fight|derby|starting eleven|keeper situation|high press|youth academy|"
                 "striker crisis|Champions League draw|clean sheet streak|stoppage time goal",
        "crowd": "referees|strikers|pundits|away fans|season ticket holders|wingers|centre backs|goalkeepers",
        "name": "the gaffer|our manager|the club|the board|United|the Gunners|the academy|our keeper|the ref",
        "act": "sign a proper striker|park the bus|change the formation|play out from the back|bottle another lead|"
               "press higher up the pitch|win a trophy|sort out the defence|rotate the squad",
        "adj": "clinical|sloppy|shambolic|toothless|relentless|offside|nervy|dominant",
        "place": "at the stadium|in the away end|at the pub after the match|outside the ground|at the next derby",
        "story": "took me to my first derby when I was seven|cried when we got relegated|"
                 "caught a match ball in the away end|bought a season ticket the year we got promoted|"
                 "got banned from the pub for arguing about a penalty",
        "line": "Three points is three points, even if the football was ugly.|"
                "That penalty was never a penalty, VAR is a disgrace.|"
                "Our midfield gets overrun every single match.|We need a striker who can actually finish.|"
                "The keeper kept us in it in the second half.|Relegation form and a top four wage bill.|"
                "Subbing the winger off at sixty minutes made zero sense.",
        "ask": "Who's starting up front on Saturday?|Anyone watching the derby at the pub?|"
               "Was that offside or am I blind?|Why do we never score from corners?|"
               "Is the new keeper actually any good?",
    },
    "basketball": {
        "thing": "three point shooting|rebounding|point guard rotation|bench unit|trade deadline|free throw line|"
                 "pick and roll defense|fourth quarter collapse|paint presence|rookie contract|playoff seeding|"
                 "max contract|fast break|zone defense|dunk contest",
        "crowd": "point guards|centers|refs|Lakers fans|NBA analysts|shooters|bench players|rookies",
        "name": "the coach|our point guard|the front office|the Lakers|the Celtics|our center|the sixth man",
        "act": "hit a free throw|run an actual offense|trade for a real center|stop fouling jump shooters|"
               "give the rookies minutes|box out for once|play some defense in the paint|shoot better from three",
        "adj": "ice cold|clutch|sloppy|athletic|flat-footed|unstoppable|streaky",
        "place": "at the arena|courtside|at the pickup game|at the gym after open run",
        "story": "dunked once in high school|got a rookie card signed at the arena|"
                 "played pickup with a former college point guard|caught a t-shirt courtside",
        "line": "We shot eight for thirty from three, no wonder we lost.|Nobody boxes out on this team.|"
                "That fourth quarter was painful to watch.|Free throws are literally free, make them.|"
                "The bench gave us nothing tonight.|He takes too many contested threes early in the clock.",
        "ask": "Who closes games for us in the playoffs?|Is he a max contract player?|"
               "Why did we stop running the pick and roll?|Anyone think we make a move before the trade deadline?",
    },
    "american_football": {
        "thing": "offensive line|quarterback situation|red zone offense|pass rush|secondary|draft pick|"
                 "two minute drill|fourth down decision|running game|special teams unit|playoff race|"
                 "fantasy lineup|touchdown celebration|Super Bowl window",
        "crowd": "quarterbacks|linemen|wide receivers|fantasy players|NFL fans|tailgaters|kickers|cornerbacks",
        "name": "the offensive coordinator|our quarterback|the head coach|the front office|the Cowboys|"
                "the Chiefs|our kicker|the defensive coordinator",
        "act": "protect the quarterback|run the ball on third and short|draft a left tackle|go for it on fourth down|"
               "stop the run|throw deep for once|fire the offensive coordinator|make the playoffs",
        "adj": "conservative|explosive|predictable|gutsy|banged up|overmatched",
        "place": "at the tailgate|in the parking lot after the game|in the stands|at the sports bar",
        "story": "named the family dog after a quarterback|got a helmet signed the year we made the Super Bowl|"
                 "drove six hours for an away game|won the fantasy league with a backup tight end",
        "line": "Punting on fourth and one from midfield is cowardly.|The offensive line is a turnstile.|"
                "Our quarterback had no time to throw all game.|Red zone play calling was awful again.|"
                "That interception in the fourth quarter killed us.|The defense played well enough to win.",
        "ask": "Who are you starting at flex this week?|Why not go for two there?|"
               "Is our quarterback the guy or not?|Anyone tailgating before the game Sunday?",
    },
    "baseball": {
        "thing": "bullpen|starting rotation|batting order|strike zone|pitch clock|home run derby|infield shift|"
                 "ninth inning|bunt signal|trade for a closer|minor league call up|spring training|"
                 "batting average|double play",
        "crowd": "pitchers|relievers|umpires|shortstops|Yankees fans|scouts|hitters",
        "name": "the manager|our closer|the Yankees|the Dodgers|our shortstop|the ace|the umpire",
        "act": "pull the starter earlier|bunt with runners on|call up the kid from triple A|"
               "trade for a lefty reliever|hit with runners in scoring position|stop swinging at sliders",
        "adj": "nasty|wild|hot|slumping|dominant|patient",
        "place": "at the ballpark|in the bleachers|at spring training|behind home plate",
        "story": "caught a foul ball at spring training|kept score by hand every game for forty years|"
                 "played shortstop in college|drove to every ballpark in the league one summer",
        "line": "The bullpen blew another lead in the eighth.|Left the bases loaded again, unreal.|"
                "The pitch clock made games so much better.|That strike zone was a joke all night.|"
                "Our ace threw seven shutout innings and got no run support.",
        "ask": "Why was the closer in for a two run lead?|Who's batting cleanup tomorrow?|"
               "Is the kid ready for the big leagues?|Anyone going to the doubleheader?",
    },
    "gaming": {
        "thing": "latest patch|ranked mode|battle pass|boss fight|loot drop rate|open world map|matchmaking|"
                 "frame rate|DLC|speedrun|respawn timer|skill tree|server lag|crafting system|co-op campaign",
        "crowd": "gamers|devs|speedrunners|streamers|console players|PC players|tryhards|casual players",
        "name": "the studio|the devs|my squad|the publisher|the final boss|the new expansion|my clan",
        "act": "nerf the sniper|fix the servers|add crossplay|patch the exploit|drop the price of the DLC|"
               "rebalance ranked|finish the main quest|bring back split screen",
        "adj": "broken|overpowered|grindy|buggy|gorgeous|unplayable|addictive|janky",
        "place": "in the lobby|on voice chat|in ranked|in the Discord|at the LAN party",
        "story": "beat the final boss on hard mode without dying|stayed up till four grinding the battle pass|"
                 "got carried to diamond in ranked|built a gaming PC out of spare parts|"
                 "spent a whole paycheck on skins",
        "line": "The new patch completely broke ranked.|This boss fight took me forty tries.|"
                "The frame rate drops every time I open the map.|Matchmaking keeps putting me with bronze players.|"
                "Sixty dollars plus a battle pass is insane.|Servers are down again, classic.",
        "ask": "Is the DLC worth it?|Anyone else stuck on the second boss?|Does this run at sixty fps on console?|"
               "Anyone want to squad up tonight?|What build are you running?",
    },
    "music": {
        "thing": "new album|tour setlist|guitar solo|chorus|bridge|vinyl pressing|opening act|festival lineup|"
                 "drum fill|mixing|lyrics|encore|acoustic version|debut single|bass line",
        "crowd": "fans|drummers|guitarists|critics|vinyl collectors|rappers|singers|producers",
        "name": "the band|the drummer|the lead singer|the label|the producer|the opener|the headliner",
        "act": "release the deluxe edition|tour the west coast|play the old songs|drop a new single|"
               "go back to their old sound|remaster the first album|fix the sound mix",
        "adj": "catchy|heavy|overproduced|haunting|raw|lo-fi|anthemic",
        "place": "at the concert|in the mosh pit|at the festival|at the record store|in the front row",
        "story": "drove four hours to see them play a bar with forty people|learned guitar from their records|"
                 "met the drummer at a record store|framed the ticket stub from their first tour",
        "line": "The bridge on the third track is unreal.|That guitar solo lives in my head now.|"
                "The vinyl pressing sounds way warmer than streaming.|They played the whole first album live.|"
                "The lyrics on this record hit different.|The mix is so muddy you can't hear the bass.",
        "ask": "Anyone going to the show next month?|What's the best album to start with?|"
               "Is the deluxe edition worth it?|Who's opening for them on tour?",
    },
    "movies": {
        "thing": "sequel|trailer|director's cut|box office|cinematography|plot twist|soundtrack|screenplay|"
                 "third act|casting choice|opening weekend|post credits scene|practical effects|Oscar race|remake",
        "crowd": "critics|moviegoers|directors|film students|studio execs|superhero fans",
        "name": "the director|the studio|the lead actor|the writer|the composer|the franchise",
        "act": "make an original movie for once|release the director's cut|stop remaking classics|"
               "cast unknown actors|shoot on film|cut twenty minutes from the runtime",
        "adj": "bloated|stunning|predictable|gripping|forgettable|cinematic",
        "place": "at the theater|at the midnight premiere|at the drive-in|in IMAX",
        "story": "walked out of the theater halfway through the sequel|saw the original in theaters as a kid|"
                 "worked as an extra on a horror movie|cried during the final scene",
        "line": "The cinematography alone is worth the ticket.|The third act completely falls apart.|"
                "That plot twist was obvious from the trailer.|The soundtrack carries the whole film.|"
                "Practical effects just age better than CGI.",
        "ask": "Is it worth seeing in IMAX?|Do I need to watch the first one?|Anyone stay for the post credits scene?|"
               "Who's directing the sequel?",
    },
    "tv_shows": {
        "thing": "season finale|pilot episode|streaming service|cliffhanger|spin-off|writers room|showrunner|"
                 "binge release|filler episode|character arc|cancellation|laugh track|recap episode|reboot",
        "crowd": "showrunners|binge watchers|sitcom fans|streaming execs|TV critics|reality show fans",
        "name": "the network|the streamer|the showrunner|the main character|the writers|the cast",
        "act": "renew it for another season|release episodes weekly|cancel the spin-off|bring back the old writers|"
               "end it on a cliffhanger|stop padding the season with filler",
        "adj": "bingeable|rushed|cozy|addictive|bleak|wholesome",
        "place": "on the couch|in the group chat|during the premiere|on the streaming app",
        "story": "binged the whole season in one weekend|watched every episode of the sitcom twice|"
                 "got spoiled on the finale by a coworker|cancelled the streaming service after the finale",
        "line": "That season finale cliffhanger was cruel.|The writers clearly had no plan for season three.|"
                "Weekly episodes are better than binge drops.|This spin-off has no reason to exist.|"
                "The pilot is slow but it gets so good.",
        "ask": "Is it worth starting from season one?|Anyone know when the next season drops?|"
               "Which streaming service has it?|Did they renew it or not?",
    },
    "books": {
        "thing": "book club pick|paperback|audiobook narrator|author's new novel|reading list|library hold|"
                 "plot|prose|ending|trilogy|fantasy series|memoir|bookshelf|reading challenge",
        "crowd": "readers|authors|librarians|book clubs|fantasy readers|publishers|bookstagrammers",
        "name": "the author|my book club|the publisher|the library|the narrator|the local bookstore",
        "act": "finish the trilogy|put out a paperback edition|write another standalone|get a proper editor|"
               "release the audiobook|adapt the series for TV",
        "adj": "beautifully written|slow|unputdownable|overhyped|dense|heartbreaking",
        "place": "at the library|at the bookstore|at book club|on the train",
        "story": "read the whole series in a week|read every book in the small town library|"
                 "met the author at a signing|read forty novels last year",
        "line": "The prose is gorgeous but the plot drags.|The ending made me throw the book across the room.|"
                "My library hold finally came in.|The audiobook narrator does all the voices perfectly.|"
                "Book club is split on whether the ending works.",
        "ask": "Should I read the trilogy in order?|Any recommendations for a slow burn fantasy?|"
               "Is the audiobook any good?|What's everyone reading this month?",
    },
    "anime": {
        "thing": "manga|opening song|filler arc|dub|subtitle track|animation studio|shonen protagonist|"
                 "final arc|seasonal lineup|fight scene|light novel adaptation|character design|"
                 "episode count|manga chapter",
        "crowd": "anime fans|manga readers|animators|weebs|dub watchers|sub purists|cosplayers",
        "name": "the studio|the mangaka|the main character|the voice cast|the anime adaptation",
        "act": "adapt the rest of the manga|animate the final arc|skip the filler|keep the original voice cast|"
               "drop the second cour|fix the CGI",
        "adj": "hype|underrated|gorgeously animated|cringe|wholesome|peak",
        "place": "at the convention|in the anime club|at the cosplay meetup|on the manga forum",
        "story": "learned Japanese from watching anime|cosplayed the main character at a convention|"
                 "read every manga chapter the day it came out|spent a fortune on figures at a convention",
        "line": "The sub is miles better than the dub.|That opening song goes so hard.|"
                "The fight animation in episode seven is insane.|The manga handles that arc way better.|"
                "This filler arc is dragging.",
        "ask": "Is the manga ahead of the anime?|Sub or dub for this one?|"
               "Which studio is doing season two?|Is it worth pushing through the filler?",
    },
    "cooking": {
        "thing": "recipe|cast iron pan|sourdough starter|marinade|spice rub|slow cooker chili|pasta sauce|"
                 "meal prep|knife skills|braise|garlic butter|air fryer|brisket|pie crust|stir fry",
        "crowd": "home cooks|chefs|food bloggers|bakers|grill people|picky eaters",
        "name": "the chef|my grandma|the recipe blog|the cooking show|my partner|the restaurant",
        "act": "salt the pasta water|sear the meat first|use real butter|let the dough rest overnight|"
               "season the cast iron|toast the spices|stop overcooking the chicken",
        "adj": "crispy|bland|tender|garlicky|smoky|overcooked|flaky",
        "place": "in the kitchen|at the farmers market|at the cookout|at the potluck",
        "story": "burned the garlic bread three times in one night|won the county fair with a brisket|"
                 "taught me to make pasta from scratch|ruined a cast iron pan in the dishwasher",
        "line": "Salt your pasta water, it makes a huge difference.|The brisket rested for two hours and was perfect.|"
                "The air fryer changed my weeknight dinners.|Way too much cumin in that recipe.|"
                "My sourdough finally got a good rise.",
        "ask": "Can I swap butter for olive oil here?|How long do you marinate it?|"
               "Is a cast iron pan worth it?|What temp do you roast at?",
    },
    "cars": {
        "thing": "transmission|oil change|test drive|dealership markup|turbo|fuel economy|brake job|lease deal|"
                 "check engine light|used truck|manual gearbox|EV charger|tire rotation|car insurance|recall notice",
        "crowd": "mechanics|car dealers|truck owners|EV owners|gearheads|car salesmen",
        "name": "the dealership|my mechanic|the manufacturer|the service department|my old pickup",
        "act": "honor the warranty|fix the transmission|bring back the manual|lower the markup|"
               "replace the timing belt|stop pushing extended warranties",
        "adj": "reliable|gutless|overpriced|peppy|rusty|bulletproof",
        "place": "at the dealership|in the parking lot|at the car meet|at the gas station|on the highway",
        "story": "drove the same pickup for twenty years|rebuilt an engine in the garage|"
                 "got talked into an extended warranty at the dealership|restored an old muscle car",
        "line": "The dealer wanted five grand over sticker.|Check engine light came on again on the highway.|"
                "Manual transmissions are dying and it's sad.|Fuel economy on the new truck is terrible.|"
                "Changed my own brakes this weekend and saved a fortune.",
        "ask": "Is this a fair price for a used truck?|Anyone else's transmission slipping?|"
               "How often should I really change the oil?|Worth going electric yet?",
    },
    "pets": {
        "thing": "dog park|litter box|vet bill|puppy training|cat tree|grooming appointment|rescue adoption|"
                 "flea treatment|kibble|leash law|fish tank|dog walker|pet insurance|chew toy",
        "crowd": "dog owners|cat people|vets|dog walkers|breeders|rescue volunteers",
        "name": "my dog|the vet|the shelter|my cat|the groomer|the rescue",
        "act": "sit on command|stop barking at the mailman|use the litter box|walk nicely on a leash|"
               "lower their prices|adopt the senior dogs first",
        "adj": "spoiled|clingy|feral|fluffy|hyper|chonky",
        "place": "at the dog park|at the vet|at the shelter|on our walk",
        "story": "adopted a three legged cat from the shelter|trained the dog to ring a bell to go outside|"
                 "spent a fortune on vet bills after the dog ate a sock|fostered a whole litter of kittens",
        "line": "My cat knocked every single thing off the counter again.|"
                "The vet bill was more than my rent.|Adopt from a shelter, the rescue dogs are the best.|"
                "Puppy training is a full time job.|The dog park is chaos on weekends.",
        "ask": "Is pet insurance worth it?|How do I stop my dog pulling on the leash?|"
               "What kibble do you use?|Do cats really need a second litter box?",
    },
    "gardening": {
        "thing": "tomato plants|raised bed|compost pile|seedlings|vegetable patch|pruning|mulch|"
                 "sunflowers|aphid problem|soil pH|frost date|herb garden|rose bush|irrigation",
        "crowd": "gardeners|plant people|landscapers|allotment neighbors|beekeepers",
        "name": "the garden center|my neighbor|the community garden|my grandpa|the nursery",
        "act": "water in the morning|prune the roses|start seeds indoors|test the soil|"
               "plant after the last frost|stop using pesticides",
        "adj": "leggy|overgrown|lush|wilted|thriving|root bound",
        "place": "in the garden|at the garden center|in the greenhouse|at the community garden",
        "story": "grew a pumpkin the size of a wheelbarrow|lost every tomato plant to a late frost|"
                 "built three raised beds out of old pallets|set up a beehive in the backyard",
        "line": "My tomatoes finally started turning red.|The aphids are eating everything this year.|"
                "Mulch saved my garden during the heat wave.|Compost is basically free fertilizer.",
        "ask": "When do you start seeds indoors?|Why are my tomato leaves turning yellow?|"
               "How deep should a raised bed be?|Anyone know what's eating my lettuce?",
    },
    "travel": {
        "thing": "layover|carry-on|hostel|airline|travel itinerary|passport renewal|jet lag|road trip|"
                 "hotel booking|boarding process|travel insurance|airport security line|backpacking route|cruise",
        "crowd": "tourists|flight attendants|backpackers|travel bloggers|frequent flyers|locals",
        "name": "the airline|the hotel|the tour guide|the travel agent|the airport",
        "act": "refund the cancelled flight|upgrade us for free|stop charging for carry-ons|"
               "fix the boarding process|book the cheaper flight",
        "adj": "overbooked|charming|touristy|delayed|breathtaking|cramped",
        "place": "at the airport|on the flight|at the hostel|at the hotel bar|in the security line",
        "story": "missed a connecting flight and slept at the airport|backpacked across Europe on a shoestring|"
                 "got upgraded to business class by accident|lost a passport in Lisbon",
        "line": "Eight hour layover and the airline won't give a voucher.|Carry-on only is the way to travel.|"
                "Jet lag hit me like a truck this time.|The hostel was cleaner than most hotels.",
        "ask": "Is travel insurance worth it?|How early should I get to the airport?|"
               "Any tips for a two week itinerary?|Which airline has the most legroom?",
    },
    "fitness": {
        "thing": "leg day|deadlift form|protein shake|bulk|cutting phase|marathon training|gym membership|"
                 "personal trainer|rest day|squat rack|calorie deficit|HIIT class|bench press|running shoes",
        "crowd": "gym bros|runners|personal trainers|CrossFit people|powerlifters|yoga people",
        "name": "my trainer|the gym|my running club|my coach|the spin instructor",
        "act": "take a rest day|fix my squat depth|stop skipping leg day|cancel my membership|"
               "hit a new deadlift PR|run a full marathon",
        "adj": "sore|shredded|gassed|consistent|swole|winded",
        "place": "at the gym|on the running track|in spin class|at the squat rack",
        "story": "ran a first marathon at sixty|deadlifted twice their bodyweight|"
                 "lost forty pounds doing nothing but walking|threw out their back trying to lift too heavy",
        "line": "Deadlift form matters more than the number on the bar.|"
                "Rest days are part of training, not a weakness.|Someone curled in the squat rack again.|"
                "Marathon training is eating my whole weekend.",
        "ask": "How much protein do you actually need?|Is a personal trainer worth it?|"
               "What running shoes do you use?|How many rest days a week?",
    },
    "fashion": {
        "thing": "thrift haul|capsule wardrobe|sneaker drop|fast fashion|runway show|outfit|denim jacket|"
                 "tailoring|vintage store|trend cycle|designer bag|makeup look|platform boots|color palette",
        "crowd": "influencers|designers|thrifters|sneakerheads|stylists|models",
        "name": "the brand|the designer|my stylist|the thrift store|the fashion house",
        "act": "bring back low rise jeans|make clothes that last|stop copying smaller designers|"
               "restock the sneakers|add real pockets",
        "adj": "stylish|tacky|timeless|oversized|chic|dated",
        "place": "at the thrift store|at the mall|on the runway|at fashion week",
        "story": "found a designer coat at the thrift store for ten bucks|wore the same prom shoes to three weddings|"
                 "camped out overnight for a sneaker drop|sewed a whole wardrobe from thrifted fabric",
        "line": "Fast fashion falls apart after three washes.|The thrift haul this week was amazing.|"
                "Tailoring makes cheap clothes look expensive.|The trend cycle is moving way too fast.",
        "ask": "Does this jacket go with black jeans?|Where do you thrift?|"
               "Are platform boots still in?|How do you build a capsule wardrobe?",
    },
    "diy_home": {
        "thing": "drywall patch|bathroom tile|deck stain|kitchen remodel|power drill|leaky faucet|"
                 "paint color|contractor quote|basement flooding|insulation|circuit breaker|hardwood floor|"
                 "grout|shelving project",
        "crowd": "contractors|plumbers|electricians|DIYers|handymen|home inspectors",
        "name": "the contractor|my plumber|the hardware store|the home inspector|the HOA",
        "act": "show up on time|finish the bathroom|pull a permit|fix the leak properly|"
               "paint the trim|redo the grout",
        "adj": "crooked|waterproof|sturdy|wobbly|level|drafty",
        "place": "at the hardware store|in the garage|in the basement|on the roof",
        "story": "tiled the whole bathroom from videos|drilled straight through a water pipe|"
                 "built a deck with no plans|rewired the whole garage without an electrician",
        "line": "The contractor quote was triple what I expected.|Measure twice, cut once, every time.|"
                "The grout lines came out crooked but I'm keeping it.|Our basement flooded again after the storm.",
        "ask": "Do I need a permit for this?|What paint finish for a bathroom?|"
               "How do you patch drywall without it showing?|Is this load bearing?",
    },
}
