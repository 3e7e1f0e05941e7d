// A Lambda function behind an ALB: it gets ALB's event and answers with statusCode, headers and body.
export const handler = async (event, context) => {
  console.log(`${event.httpMethod} ${event.path} from ${event.headers?.['x-forwarded-for']}`)
  const name = event.queryStringParameters?.name ?? 'world'
  return {
    statusCode: 200,
    statusDescription: '200 OK',
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-function': context.functionName },
    body: `hello ${decodeURIComponent(name)} from ${context.functionName} (${process.env.GREETING ?? 'hi'})\n`,
  }
}
