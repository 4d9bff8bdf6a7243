"""Word pools for demo data: Chinese with English equivalents, so both UIs read naturally."""

from __future__ import annotations

# Cities with a district and a street of that city: (city, district, street), each (zh, en).
CITIES = [
    (("上海", "Shanghai"), ("浦东新区", "Pudong"), ("世纪大道", "Century Ave")),
    (("北京", "Beijing"), ("朝阳区", "Chaoyang"), ("建国路", "Jianguo Rd")),
    (("深圳", "Shenzhen"), ("南山区", "Nanshan"), ("科技园路", "Science Park Rd")),
    (("杭州", "Hangzhou"), ("西湖区", "Xihu"), ("文三路", "Wensan Rd")),
    (("成都", "Chengdu"), ("高新区", "Hi-Tech Zone"), ("天府大道", "Tianfu Ave")),
    (("南京", "Nanjing"), ("鼓楼区", "Gulou"), ("中山路", "Zhongshan Rd")),
    (("武汉", "Wuhan"), ("江汉区", "Jianghan"), ("解放大道", "Jiefang Ave")),
    (("苏州", "Suzhou"), ("工业园区", "Industrial Park"), ("星湖街", "Xinghu St")),
]
COMPANY_STEMS = [
    ("华东置业", "Huadong Properties"),
    ("瑞丰银行", "Ruifeng Bank"),
    ("明德中学", "Mingde High School"),
    ("仁和医院", "Renhe Hospital"),
    ("星河酒店", "Galaxy Hotel"),
    ("恒通物流", "Hengtong Logistics"),
    ("蓝海数据中心", "Blue Ocean Data Center"),
    ("金桥商场", "Jinqiao Mall"),
    ("长江制药", "Changjiang Pharma"),
    ("新城写字楼", "New City Offices"),
]
COMPANY_SUFFIX = [("有限公司", "Co., Ltd."), ("集团", "Group"), ("股份有限公司", "Inc.")]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"]
BUILDINGS = [
    ("A座", "Tower A"),
    ("B座", "Tower B"),
    ("主楼", "Main Building"),
    ("1号楼", "Building 1"),
    ("综合楼", "Complex"),
]

# Subsystems with the devices they contain: (zh, en, [(device zh, device en, maker, model)]).
SUBSYSTEMS = [
    (
        "门禁系统",
        "Access control",
        [
            ("门禁控制器", "Door controller", "ZKTeco", "C3-400"),
            ("读卡器", "Card reader", "HID", "iCLASS SE R40"),
        ],
    ),
    (
        "视频监控",
        "CCTV",
        [
            ("网络摄像机", "IP camera", "Hikvision", "DS-2CD2143G2"),
            ("网络硬盘录像机", "NVR", "Hikvision", "DS-9632NI-I8"),
        ],
    ),
    (
        "楼宇自控",
        "Building automation",
        [
            ("DDC控制器", "DDC controller", "Siemens", "PXC36"),
            ("温控面板", "Thermostat", "Honeywell", "T6 Pro"),
        ],
    ),
    ("消防报警", "Fire alarm", [("火灾报警主机", "Fire alarm panel", "Notifier", "NFS2-3030")]),
    (
        "网络与服务器",
        "Network and servers",
        [
            ("核心交换机", "Core switch", "Huawei", "S6730-H"),
            ("服务器", "Server", "Dell", "PowerEdge R650"),
            ("UPS电源", "UPS", "APC", "SRT6KXLI"),
        ],
    ),
]

# Faults of a repair: (zh, en, the kind of device it is on (its English name in SUBSYSTEMS),
# the severities it is graded at, whether it is solved on the phone). A fault is only ever
# reported on its kind of device, and at a level that fits it.
FAULTS = [
    (
        "门禁控制器离线，员工无法刷卡进入",
        "Door controller offline, staff cannot badge in",
        "Door controller",
        (1, 2),
        False,
    ),
    ("读卡器无法识别员工卡", "Card reader does not read staff cards", "Card reader", (2, 3), False),
    ("3楼摄像机画面黑屏", "Cameras on floor 3 show a black image", "IP camera", (2, 3), False),
    (
        "录像机硬盘报警，部分录像丢失",
        "NVR disk alarm, some recordings missing",
        "NVR",
        (2, 3),
        False,
    ),
    (
        "空调温控失灵，机房温度过高",
        "HVAC control failed, server room overheating",
        "DDC controller",
        (1, 2),
        False,
    ),
    (
        "温控面板显示温度与实际不符",
        "Thermostat shows the wrong temperature",
        "Thermostat",
        (3, 4),
        False,
    ),
    ("消防主机报回路故障", "Fire panel reports loop fault", "Fire alarm panel", (1, 2), False),
    ("核心交换机端口频繁掉线", "Core switch ports flapping", "Core switch", (1, 2, 3), False),
    ("服务器无法启动，蓝屏", "Server does not boot, blue screen", "Server", (1, 2), False),
    ("UPS告警，电池需要更换", "UPS alarm, battery needs replacement", "UPS", (2, 3), False),
    ("客户咨询如何添加新卡", "Customer asks how to enrol new cards", "Door controller", (4,), True),
    ("系统升级后报表功能异常", "Reports broken after software upgrade", "Server", (3, 4), True),
    ("录像机无法远程回放", "NVR playback fails from the office", "NVR", (3, 4), True),
]
# What the office writes on a planned visit: (zh, en, device kind or None, severities).
INSPECTION = (
    "季度例行巡检：检查、清洁、调试",
    "Quarterly inspection: check, clean, tune",
    None,
    (4,),
)
UPGRADE = (
    "按计划升级门禁软件至 V5.3",
    "Planned access-control software upgrade to V5.3",
    "Door controller",
    (3, 4),
)

PARTS = [
    # part_no, zh, en, unit price CNY, tax rate
    ("PSU-24V-5A", "24V 5A 开关电源", "24 V 5 A power supply", "286.00", "0.13"),
    ("HDD-8TB-SV", "8TB 监控硬盘", "8 TB surveillance HDD", "1580.00", "0.13"),
    ("BAT-12V-9AH", "12V 9Ah 蓄电池", "12 V 9 Ah battery", "165.00", "0.13"),
    ("RDR-ICLASS", "iCLASS 读卡器", "iCLASS card reader", "920.00", "0.13"),
    ("CAM-4MP-DOME", "400万半球摄像机", "4 MP dome camera", "1150.00", "0.13"),
    ("SFP-10G-SR", "10G 多模光模块", "10G SR SFP+ module", "430.00", "0.13"),
    ("DDC-IO-16", "16路 IO 扩展模块", "16-point IO module", "2380.00", "0.13"),
    ("FAN-1U", "1U 服务器风扇", "1U server fan", "210.00", "0.13"),
    ("LOOP-CARD", "回路卡", "Loop card", "3260.00", "0.13"),
    ("CBL-CAT6-305", "六类网线 305米", "Cat6 cable 305 m", "780.00", "0.13"),
]

BACKUP_ITEMS = [
    ("导出设备配置文件", "Export device configuration", "file", True),
    ("备份数据库/录像索引", "Back up database / recording index", "file", True),
    ("拍照记录接线和指示灯状态", "Photograph wiring and indicator lights", "photo", True),
    ("记录固件/软件版本", "Note firmware / software version", "text", True),
    ("与系统负责人确认可以停机", "System owner agreed to downtime", "tick", True),
    ("检查备份介质可读", "Check the backup medium is readable", "tick", False),
]

INSPECTION_ITEMS = [
    ("检查运行状态和告警", "Check status and alarms", "tick", True),
    ("清洁设备和散热口", "Clean device and vents", "tick", True),
    ("调试参数", "Debug / tune parameters", "text", True),
    ("更换异常设备", "Replace abnormal devices", "text", False),
]

# Who signs the demo's slips and approves its quotes, and its quote lines for work.
CUSTOMER_SIGNER = "李经理"
LABOUR = "人工 Labour"
TRAVEL = "差旅 Travel"
