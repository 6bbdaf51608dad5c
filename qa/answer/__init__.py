"""The read side's answer step: ``extract`` holds the pure functions that judge which
sentence answers; ``answerer`` gathers candidates, scores them and cites the answers."""
