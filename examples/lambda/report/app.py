# A Python function behind the same balancer: a JSON answer.
import json


def handler(event, context):
    return {
        'statusCode': 200,
        'headers': {'content-type': 'application/json'},
        'body': json.dumps({'path': event['path'], 'method': event['httpMethod'], 'function': context.function_name}),
    }
