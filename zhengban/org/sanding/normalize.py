"""A matching copy of the input, character for character.

The parser matches keywords on ``Doc.norm`` and reports text from ``Doc.raw``. Every
mapping here replaces one character with one character, so an offset into ``norm`` is
the same offset into the original text.
"""

import re
from dataclasses import dataclass

# Traditional → simplified, for the characters that occur in 三定 vocabulary (section
# headings, organ suffixes, staffing words, duty verbs, place names). Pairs of
# "traditional simplified"; a small hand-made table rather than a dependency.
_TRAD_PAIRS = """
國国 務务 辦办 廳厅 職职 責责 調调 規规 設设 內内 機机 構构 關关 員员 編编 製制 個个 為为 爲为
處处 級级 組组 長长 書书 記记 黨党 離离 幹干 紀纪 檢检 監监 會会 議议 數数 負负 擔担 掛挂 與与
門门 類类 統统 計计 財财 審审 資资 產产 戶户 網网 絡络 報报 專专 總总 隊队 協协 團团 聯联 係系
於于 後后 這这 據据 兩两 萬万 億亿 參参 區区 縣县 鄉乡 鎮镇 廣广 東东 衛卫 醫医 藥药 劃划 發发
預预 檔档 傳传 達达 導导 領领 護护 險险 勞劳 動动 農农 業业 漁渔 礦矿 鐵铁 電电 話话 訊讯 郵邮
環环 氣气 經经 濟济 貿贸 稅税 價价 糧粮 儲储 備备 災灾 應应 體体 僑侨 臺台 灣湾 對对 邊边 軍军
轉转 變变 質质 標标 準准 測测 繪绘 圖图 館馆 辭辞 學学 術术 藝艺 歷历 誌志 維维 穩稳 訪访 訴诉
訟讼 獄狱 嚴严 綜综 論论 決决 範范 彙汇 匯汇 結结 權权 稱称 簡简 則则 條条 項项 節节 號号 頁页
續续 輯辑 開开 閉闭 頂顶 歡欢 覽览 瀏浏 點点 擊击 將将 裝装 舉举 歲岁 齡龄 們们 來来 時时 間间
當当 從从 並并 併并 裡里 裏里 麼么 樣样 還还 進进 過过 運运 輸输 車车 駕驾 駛驶 橋桥 樑梁 廠厂
營营 銷销 購购 買买 賣卖 費费 貸贷 幣币 銀银 錢钱 帳账 賬账 簽签 約约 證证 聽听 說说 讀读 寫写
譯译 語语 詞词 課课 試试 驗验 題题 問问 響响 頭头 腦脑 線线 綫线 齊齐 歸归 閱阅 養养 飲饮 潔洁
淨净 濕湿 壓压 擴扩 積积 極极 興兴 獎奖 懲惩 罰罚 徵征 確确 認认 識识 譽誉 優优 勢势 態态 戰战
爭争 鬥斗 敵敌 義义 華华 夠够 實实 際际 現现 狀状 況况 師师 帥帅 賓宾 鄰邻 濱滨 島岛 嶼屿 陽阳
陰阴 橫横 圍围 園园 韓韩 蘇苏 閩闽 貴贵 陝陕 寧宁 遼辽 龍龙 滬沪 魯鲁 贛赣 瓊琼 瀋沈 擬拟 訂订
織织 療疗 婦妇 嬰婴 倉仓 庫库 減减 賑赈 蘭兰 慶庆 廈厦 鹽盐 樓楼 層层 輛辆 駐驻 漢汉 舊旧 屆届
選选 僅仅 儀仪 傷伤 殘残 廢废 棄弃 墾垦 豐丰 穀谷 麥麦 飼饲 獸兽 屬属 獨独 糾纠 紛纷 診诊 溫温
熱热 燈灯 煙烟 爐炉 燒烧 擁拥 擇择 換换 撥拨 撫抚 揮挥 紡纺 絲丝 紅红 綠绿 藍蓝 黃黄 錄录 鑑鉴
鑒鉴 鎖锁 錯错 誤误 創创 劇剧 劉刘 剛刚 勵励 勸劝 勝胜 卻却 厲厉 叢丛 啟启 啓启 喪丧 單单 團团
執执 堅坚 場场 塊块 壇坛 壞坏 壯壮 壽寿 夢梦 奪夺 奮奋 孫孙 寶宝 岡冈 峽峡 嶺岭 帶带 幫帮 幾几
廚厨 張张 強强 彈弹 徑径 復复 憲宪 懷怀 懸悬 戲戏 擾扰 攝摄 數数 斷断 晉晋 暢畅 曆历 曉晓 樞枢
殼壳 毀毁 滅灭 漲涨 溝沟 滯滞 滲渗 潛潜 澤泽 濫滥 烏乌 無无 煉炼 牆墙 牽牵 犧牺 獲获 獻献 畫画
盜盗 盡尽 盤盘 礎础 禮礼 禍祸 禦御 種种 窮穷 競竞 筆笔 築筑 籌筹 紮扎 細细 終终 絕绝 給给 綱纲
緊紧 緣缘 練练 績绩 繼继 羅罗 習习 聖圣 聞闻 聲声 肅肃 脅胁 臨临 艦舰 艱艰 莊庄 葉叶 蓋盖 蟲虫
衝冲 補补 複复 視视 親亲 覺觉 觀观 討讨 訓训 許许 詢询 該该 詳详 請请 諸诸 談谈 諮咨 講讲 謀谋
讓让 貝贝 貨货 販贩 貧贫 貫贯 賠赔 賦赋 賽赛 贊赞 贈赠 趙赵 趕赶 躍跃 軟软 載载 較较 輔辅 輕轻
轄辖 遠远 違违 適适 遷迁 遺遗 鄭郑 釋释 針针 鉛铅 鋼钢 錦锦 鍊炼 閒闲 閣阁 闡阐 陣阵 陳陈 陸陆
階阶 隨随 隱隐 雜杂 雙双 雞鸡 難难 靈灵 韋韦 順顺 須须 頻频 額额 顏颜 顧顾 顯显 風风 飛飞 飯饭
馬马 驗验 魚鱼 鳥鸟 齒齿 樁桩 緝缉 債债 償偿 倫伦 偉伟 側侧 偵侦 兒儿 冊册 凍冻 劑剂 勁劲 龐庞
屍尸 衆众 眾众 週周 採采 佈布 祕秘 羣群 檯台 颱台 僱雇 迴回 蹟迹 跡迹 託托 註注 覈核 徹彻 謹谨
寬宽 廉廉 貪贪 賄贿 瀆渎 屬属 誠诚 尋寻 獵猎 藥药 鑰钥 噸吨 擔担 腳脚 臉脸 價价 儉俭 檔档 禪禅
濤涛 滙汇 瑪玛 寢寝 稟禀 庄庄 鬧闹 鬆松 麵面 髮发 傢家 儘尽 嘗尝 嚮向 採采 摺折 暫暂 樸朴 燦灿
墜坠 墮堕 壩坝 壯壮 夾夹 奧奥 姦奸 孃娘 嶽岳 巖岩 戶户 扞捍 挾挟 捨舍 掃扫 掄抡 揚扬 損损 搶抢
攜携 擋挡 據据 擠挤 擬拟 擴扩 攤摊 敗败 敘叙 斃毙 暈晕 櫃柜 檢检 歐欧 歎叹 殲歼 氫氢 汙污 決决
沒没 沖冲 況况 涼凉 淚泪 淺浅 渦涡 湧涌 測测 湯汤 溼湿 滄沧 滷卤 漿浆 潰溃 澀涩 濁浊 濾滤 瀉泻
瀕濒 瀝沥 灑洒 灘滩 炤照 烴烃 焰焰 煩烦 燄焰 營营 燭烛 爛烂 牘牍 犢犊 狹狭 猶犹 獅狮 瑣琐 璽玺
甕瓮 甦苏 畝亩 異异 疊叠 癒愈 發发 皚皑 盞盏 碼码 磚砖 確确 穌稣 竊窃 筍笋 箋笺 簾帘 籃篮 籤签
紀纪 紋纹 納纳 紐纽 純纯 紗纱 級级 紹绍 組组 絃弦 絨绒 綁绑 綏绥 綸纶 緒绪 線线 締缔 縮缩 縱纵
繁繁 繩绳 繪绘 繳缴 纜缆 缽钵 罈坛 罷罢 羨羡 聳耸 肅肃 腎肾 膽胆 膚肤 臟脏 艙舱 芻刍 苧苎 萊莱
薦荐 薩萨 藍蓝 藝艺 蘆芦 虛虚 蝕蚀 螢萤 蠻蛮 裊袅 褲裤 襲袭 覓觅 觸触 訊讯 託托 詐诈 評评 詩诗
誇夸 誌志 誕诞 誘诱 誦诵 諒谅 諾诺 謁谒 謂谓 謝谢 謠谣 謬谬 譏讥 譜谱 警警 譴谴 讚赞 豎竖 豬猪
貓猫 貞贞 財财 貢贡 貶贬 賀贺 賂赂 賃赁 賜赐 賞赏 賢贤 賤贱 賴赖 贖赎 贛赣 軌轨 軒轩 軸轴 輝辉
輩辈 輪轮 輻辐 轎轿 辯辩 邏逻 郵邮 鄒邹 醞酝 醜丑 釀酿 釘钉 鈔钞 鈴铃 鉤钩 銅铜 鋁铝 鋪铺 鍋锅
鍵键 鏈链 鐘钟 鑄铸 閃闪 閘闸 閥阀 闊阔 闖闯 隸隶 雖虽 雲云 霧雾 靜静 韌韧 頌颂 頒颁 頗颇 頸颈
頻频 顆颗 顛颠 颳刮 餅饼 餘余 餵喂 饑饥 饒饶 駁驳 駝驼 騎骑 騙骗 騰腾 驅驱 驕骄 驚惊 骯肮 鬍胡
鯨鲸 鳳凤 鴻鸿 鵬鹏 鶴鹤 麗丽 黴霉 齋斋 龜龟
見见 亂乱 憂忧 慮虑 戀恋 慣惯 擺摆 崗岗 彌弥 憶忆 懇恳 昇升 晝昼 曬晒 桿杆 棧栈 棟栋 欄栏 殺杀 毆殴
滾滚 潑泼 澆浇 濃浓 濺溅 瀾澜 爺爷 瘋疯 矯矫 碩硕 祿禄 穎颖 窩窝 竄窜 綿绵 緞缎 繞绕 纏缠 罵骂 脈脉
脫脱 腫肿 膠胶 蒼苍 蕭萧 薑姜 蘋苹 虧亏 蝦虾 蠶蚕 襪袜 誼谊 諧谐 謊谎 謙谦 貯贮 趨趋 蹤踪 軀躯 轟轰
遞递 遜逊 遲迟 醬酱 釣钓 銜衔 鋒锋 錘锤 鏡镜 鑽钻 韻韵 頓顿 飄飘 饋馈 餽馈 鬚须 鴨鸭 鹼碱 衞卫 廟庙
弔吊 恆恒 悅悦 惡恶 惱恼 愛爱 慘惨 憐怜 憑凭 憤愤 墳坟 奬奖 寵宠 峯峰 貼贴 嚇吓 飢饥 錶表 鬱郁 齣出
幟帜 廬庐 擲掷 斬斩 梟枭 橢椭 檸柠 櫻樱 氈毡 瑤瑶 瓏珑 疇畴 瘡疮 皺皱 盧卢 睏困 窺窥 紓纾 絀绌 繃绷
羈羁 翹翘 艷艳 蔔卜 覦觎 訝讶 詛诅 鄧邓 鈍钝 鈣钙 鍍镀 鎊镑 鐮镰 閨闺 隕陨 頰颊 頹颓 顫颤 駭骇 髒脏
鵝鹅
"""

TRAD_TO_SIMP: dict[str, str] = {}
for _pair in _TRAD_PAIRS.split():
    if len(_pair) == 2 and _pair[0] != _pair[1]:
        TRAD_TO_SIMP[_pair[0]] = _pair[1]

# Punctuation and spacing folded to one form for matching.
_FOLD = {
    "\u3000": " ",
    "\xa0": " ",
    "\t": " ",
    "｡": "。",
    "､": "、",
    "﹙": "(",
    "﹚": ")",
    "【": "[",
    "】": "]",
    "〖": "[",
    "〗": "]",
    "︰": ":",
    "∶": ":",
    "○": "〇",
    "\r": "\n",
    "\x0b": "\n",
    "\x0c": "\n",
    "\x85": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
}
for _code in range(0xFF01, 0xFF5F):  # full-width ASCII block
    _FOLD[chr(_code)] = chr(_code - 0xFEE0)
for _i in range(10):  # dingbat circled numbers → ①..⑩
    _FOLD[chr(0x2776 + _i)] = chr(0x2460 + _i)
    _FOLD[chr(0x2780 + _i)] = chr(0x2460 + _i)
    _FOLD[chr(0x278A + _i)] = chr(0x2460 + _i)
for _code in (*range(0x200B, 0x2010), 0xFEFF, 0x2060, 0xAD):  # invisible characters
    _FOLD[chr(_code)] = " "
for _code in (*range(0x00, 0x20), 0x7F):  # control characters other than line ends
    _FOLD.setdefault(chr(_code), " ")
_FOLD["\n"] = "\n"

_TABLE = str.maketrans({**_FOLD, **TRAD_TO_SIMP})

# Web-page clutter such as "[编辑]", "[接上页]", "[打印本页]": blanked out for matching.
_CLUTTER_RE = re.compile(r"\[[^\[\]\n]{0,10}\]")
_TITLE_RE = re.compile(r"《[^《》]*》")


def normalize(text: str) -> str:
    """Same-length matching copy: simplified characters, half-width punctuation."""
    norm = text.translate(_TABLE)
    return _CLUTTER_RE.sub(lambda m: " " * len(m.group()), norm)


def mask_titles(text: str) -> str:
    """Blank out 《…》 titles: the title of another document is no statement of this one."""
    return _TITLE_RE.sub(lambda m: " " * len(m.group()), text)


def simplify(text: str) -> str:
    """Simplified, half-width form of a short string (names compared across scripts)."""
    return text.translate(_TABLE)


@dataclass(frozen=True)
class Doc:
    """The original text and its same-length matching copy."""

    raw: str
    norm: str

    @classmethod
    def of(cls, text: str) -> "Doc":
        norm = normalize(text)
        assert len(norm) == len(text)
        return cls(text, norm)
