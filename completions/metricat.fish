function __metricat_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __metricat_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __metricat_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __metricat_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __metricat_parse_tokens -S
    set -l unparsed_tokens (__metricat_tokens -pc)
    switch $unparsed_tokens[1]
    case 'metricat'
        __metricat_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'send'
            __metricat_parse_subcommand 0 'version' 'h/help'
        case 'listen'
            __metricat_parse_subcommand 0 'version' 'h/help'
        case 'convert'
            __metricat_parse_subcommand -r 1 'from=' 'to=' 'v/verbose' 'strict' 'max-line=' 'default-tags=' 'prefix=' 'metric-name=' 'templates=+' 'version' 'h/help'
        case 'load'
            __metricat_parse_subcommand 0 'version' 'h/help'
        case 'tail-log'
            __metricat_parse_subcommand 0 'version' 'h/help'
        case 'help'
            __metricat_parse_subcommand -r 1 'version'
        end
    end
end

function __metricat_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __metricat_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __metricat_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __metricat_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__metricat_tokens -p)
    if test -z "$(__metricat_tokens -t)"
        set -l index (count (__metricat_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'metricat' -f
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat" version' -l 'version' -d 'Show the version.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_positional "metricat" -eq 1' -fa 'send' -d 'Emit metrics to a collector over UDP, TCP, Unix sockets or InfluxDB\'s HTTP API (not built yet).'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_positional "metricat" -eq 1' -fa 'listen' -d 'Bind sockets and print what arrives, raw or decoded; a CI smoke check with --expect (not built yet).'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_positional "metricat" -eq 1' -fa 'convert' -d 'Translate metrics between formats, streaming, with precise errors.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_positional "metricat" -eq 1' -fa 'load' -d 'Flood a socket at a controlled rate and measure what gets dropped (not built yet).'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_positional "metricat" -eq 1' -fa 'tail-log' -d 'Turn what a log gained since the last run into metrics, Logster-style (not built yet).'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_positional "metricat" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat send" version' -l 'version' -d 'Show the version.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat send" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat listen" version' -l 'version' -d 'Show the version.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat listen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" from' -l 'from' -d 'Input format: auto, influx, json, wavefront, statsd, graphite, prometheus, csv.' -rfka ''
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" to' -l 'to' -d 'Output format: influx, json, wavefront, statsd, graphite, prometheus, csv.' -rfka 'influx json wavefront statsd graphite prometheus csv'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" v verbose' -l 'verbose' -s 'v' -d 'Say more: the detected format, options that do not apply.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" strict' -l 'strict' -d 'Stop at the first bad line (exit 65) instead of reporting it and going on.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" max-line' -l 'max-line' -d 'Longest input line or record in bytes; longer ones are reported and skipped.' -rfka ''
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" default-tags' -l 'default-tags' -d 'Tags added to every parsed metric that lacks them (Telegraf\'s default_tags); for Wavefront input they override parsed tags, as in Telegraf.' -rfka ''
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" prefix' -l 'prefix' -d 'Prefix for every output name (graphite, wavefront).' -rfka ''
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" metric-name' -l 'metric-name' -d 'Measurement name for input that carries none (json, csv): Telegraf\'s metric_name.' -rfka ''
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert"' -l 'templates' -d 'Graphite-style template, repeatable: \'[filter] template [k=v,...]\' (graphite in and out, statsd in): Telegraf\'s templates.' -rfka ''
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" version' -l 'version' -d 'Show the version.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat convert" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat load" version' -l 'version' -d 'Show the version.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat load" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat tail-log" version' -l 'version' -d 'Show the version.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat tail-log" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'metricat' -n '__metricat_should_offer_completions_for_flags_or_options "metricat help" version' -l 'version' -d 'Show the version.'
