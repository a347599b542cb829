"""Alerts: which articles matter (rules), what the message says (render), the outbox that makes
delivery exactly-once per rule and story (outbox), sending through Apprise with retries (notify),
where messages go (targets) and the monitor's own health notices (health).

    alerts = rules.evaluate(config.alerts, article, tags, story, new_entities, article_id)
    outbox.enqueue(db, alerts, when)              # inside the article's transaction
    await notify.deliver_pending(db, config)      # later, outside it
"""
