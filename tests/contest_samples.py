"""A small contest shaped like the real one, for tests: two liaison groups, three committees, one direct branch."""
import textwrap

CONTEST = textwrap.dedent("""\
    contest: test-2026
    title: 测试比武
    organisations:
      - {id: g1, name: 第一联系片组, type: liaison_group}
      - {id: g2, name: 第二联系片组, type: liaison_group}
      - {id: c01, name: 教育局机关党委, type: committee, parent: g1}
      - {id: c02, name: 卫健委机关党委, type: committee, parent: g1}
      - {id: c03, name: 财政局机关党委, type: committee, parent: g2}
      - {id: d01, name: 档案馆党支部, type: direct_branch, parent: g2}
    candidates: candidates.csv
    rounds:
      - id: preliminary
        title: 初赛
        group_by: committee
        components:
          - {name: written, weight: 0.5}
          - {name: lecture, weight: 0.5, trim: 1}
        tie_break: [written, lecture]
        advance: {top: 1}
        skip: [direct_branch]
      - id: semifinal
        title: 复赛
        group_by: liaison_group
        components: [{name: written, weight: 0.5}, {name: lecture, weight: 0.5, trim: 1}]
        advance: {top: 1}
      - id: final
        title: 决赛
        group_by: all
        components: [{name: written, weight: 0.4}, {name: lecture, weight: 0.6, trim: 1}]
        awards: [{title: 一等奖, top: 1}, {title: 二等奖, top: 1}]
        special_awards: [{title: 十佳党课, component: lecture, top: 2}]
    """)

CANDIDATES = textwrap.dedent("""\
    username,name,org
    zhao,赵一,c01
    qian,钱二,c01
    sun,孙三,c02
    li,李四,c02
    zhou,周五,c03
    wu,吴六,c03
    zheng,郑七,d01
    """)
