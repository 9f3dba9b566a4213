"""The package kinds and their Chinese names: the manifest's 类型 (file format) and the package log's
check constraint (database) share them, so they live below both."""

PACKAGE_KINDS = {"submission": "上报包", "plan": "下发包", "init": "初始化包", "receipt": "回执包", "return": "退回包"}
REPLY_KINDS = ("receipt", "return")  # the city's answers to a submission
