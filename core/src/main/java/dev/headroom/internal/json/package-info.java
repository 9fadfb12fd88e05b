/**
 * JSON mechanics on the JDK alone (core depends on nothing else, so the agent brings no library
 * into the application): {@link dev.headroom.internal.json.JsonWriter} writes text, compact and
 * escaped, unknowns as {@code null}; {@link dev.headroom.internal.json.PlainValues} turns values into
 * the plain JDK types (strings, numbers, booleans, null, maps and lists of those) that event fields,
 * JMX user data and any JSON mapper can take. What a document says, its field names, lives with its
 * writer: the budget schema in {@code dev.headroom.internal.report}, event lines in
 * {@code dev.headroom.internal.events}.
 *
 * <p>Internal: not an API.
 */
package dev.headroom.internal.json;
