"""Company news: fetch feeds over HTTP, parse them into records, match articles to contacts."""
