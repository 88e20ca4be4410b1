"""Progress of long commands: a redrawn bar on a terminal, plain lines in a log or a pipe."""

import re

from web.cli.progress import progress


def test_overlaps_prints_plain_progress_lines_when_the_output_is_not_a_terminal(alur):
    assert alur("demo").exit_code == 0
    assert alur("load-processes").exit_code == 0

    result = alur("overlaps", "--limit", "1")

    assert result.exit_code == 0, result.output
    assert "\r" not in result.output and "\x1b" not in result.output
    library = re.findall(r"^SOP library: (\d+)% \((\d+)/(\d+)\)$", result.output, re.MULTILINE)
    percents = [int(p) for p, _, _ in library]
    assert percents[0] == 0 and percents[-1] == 100 and percents == sorted(set(percents))
    assert library[-1][1] == library[-1][2] != "0"


def test_a_line_every_ten_percent_and_one_at_the_end(capsys):
    with progress("Simulating", 250) as advance:
        for done in range(1, 251):
            advance(done)

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Simulating: 0% (0/250)" and lines[-1] == "Simulating: 100% (250/250)"
    assert [int(line.split()[1][:-1]) for line in lines] == list(range(0, 101, 10))
