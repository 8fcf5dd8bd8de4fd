"""The Russian demo's discussion (`NEWSROOM_DEMO_LANGUAGE=ru`), as comments/demo.py has it in
English: the same demo reader (reader@example.com), two other readers and their comments."""

DEMO_READERS = [
    ("reader", "reader@example.com", "Демо-читатель"),
    ("a.petrov", "a.petrov@example.com", "Андрей Петров"),
    ("o.smirnova", "o.smirnova@example.com", "Ольга Смирнова"),
]
DEMO_COMMENTS = [
    ("a.petrov", "Если это правда, к весне переговоры будут выглядеть совсем иначе.", None),
    (
        "o.smirnova",
        "Focus ссылается на анонимные источники; я бы подождала официального заявления.",
        None,
    ),
    ("reader", "Согласен. В статье так и сказано: открыто это не обсуждается.", 1),
]
