/**
 * How {@link dev.headroom.HeadroomConfig} is read and written as text, behind its public API.
 * {@link dev.headroom.internal.config.Option} is the option table: each key's name, meaning and
 * accepted forms, how its text sets the builder and how its value prints back.
 * {@link dev.headroom.internal.config.OptionSources} reads options from the string form, a map, and
 * the agent arguments, system properties, environment and {@code config=} file
 * ({@link dev.headroom.internal.config.ConfigFile}, read through
 * {@link dev.headroom.internal.config.SmallFiles}), in that order of precedence.
 * {@link dev.headroom.internal.config.Values} parses and prints the kinds of value the options share
 * (durations, percentages, booleans, paths, host:port), also for Headroom's messages. Not API: it may
 * change in any release.
 */
package dev.headroom.internal.config;
