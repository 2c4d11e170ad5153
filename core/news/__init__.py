"""News, pure: feeds and their items, one story per event (canonical URLs, titles, the duplicate
decision), which coins a text is about, and what a fetch did to a feed's back-off."""
